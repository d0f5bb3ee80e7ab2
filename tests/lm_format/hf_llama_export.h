#pragma once
// Test support: a GGUF Llama written out as a Hugging Face checkpoint (config.json + safetensors),
// so "the same model saved as GGUF and as safetensors" can be compared.
#include <cstdint>
#include <string>
#include <vector>

#include "lm/format/gguf_reader.h"
#include "lm/format/safetensors_dtype.h"

namespace oh::lm::testing {

/// Q/K rows of `heads` heads of `head_dim` rows each (each row `columns` long), from GGUF's adjacent-pair
/// rotary layout (row 2i + c of a head) to HF's half-split layout (row c·head_dim/2 + i): the inverse of
/// the permutation llama.cpp's converter applies.
std::vector<float> adjacent_pair_to_half_split_rows(const std::vector<float>& weight, int64_t heads, int64_t head_dim,
                                                    int64_t columns);

/// Writes `gguf` (a Llama: llama.* keys, F32/F16/Q8_0 tensors) into `directory` as config.json plus
/// weights under HF names in `dtype`, Q/K rows in the half-split layout; one model.safetensors, or, when
/// `max_shard_bytes` is nonzero, shards of at most that much data with model.safetensors.index.json.
void export_llama_as_hf(const GgufFile& gguf, const std::string& directory, SafetensorsDtype dtype,
                        uint64_t max_shard_bytes = 0);

}  // namespace oh::lm::testing
