#pragma once
// A tiny random GPT-2 written by our GGUF writer (keys gpt2.*, a byte-level vocabulary with
// tokenizer.ggml.model "gpt2" and pre "gpt-2", which llama.cpp loads), and the same model exported as a
// Hugging Face checkpoint (config.json + safetensors, Conv1D weights [in, out]).
#include <cstdint>
#include <string>

#include "lm/format/ggml_types.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/safetensors_dtype.h"
#include "lm/tokenizer/vocabulary.h"

namespace oh::lm::testing {

struct TinyGpt2Shape {
  uint32_t n_embd = 32, n_head = 4, n_ff = 128, n_layer = 2, context = 128;
  float ln_eps = 1e-5f;
  float weight_std = 0.02f;  // matrices and biases; larger values give sharp attention and a busy GELU
  bool tied_output = true;   // false: an `output` tensor of its own
  bool output_bias = false;  // an `output.bias` (b_U); llama.cpp's GPT-2 has none, so it rejects such files
};

/// 256 byte tokens, the 676 merges of two lowercase letters, and <|endoftext|> (BOS and EOS) last: 933
/// tokens, pre-tokenizer "gpt-2".
Vocabulary tiny_gpt2_vocabulary();

/// Writes `path`: gpt2.* hyperparameters, tokenizer.ggml.*, and weights drawn in file order from numpy's
/// RandomState(seed): matrices and biases N(0, weight_std²), LayerNorm weights 1 + N(0, 0.1²) and biases
/// N(0, 0.1²) (so a dropped norm weight or bias shows); norms F32, other tensors `weight_type`.
void write_tiny_gpt2(const std::string& path, const Vocabulary& vocabulary, const TinyGpt2Shape& shape, uint32_t seed,
                     GgmlType weight_type = GgmlType::F32);

/// Writes `gguf` (a GPT-2: gpt2.* keys, F32/F16/Q8_0 tensors) into `directory` as config.json plus
/// weights under HF names ("transformer." prefix when `transformer_prefix`, as GPT2LMHeadModel saves) in
/// `dtype`, Conv1D weights transposed to [in, out]; one model.safetensors, or shards of at most
/// `max_shard_bytes` of data with an index. InputError for an output.bias (HF's GPT-2 has none).
void export_gpt2_as_hf(const GgufFile& gguf, const std::string& directory, SafetensorsDtype dtype,
                       uint64_t max_shard_bytes = 0, bool transformer_prefix = true);

}  // namespace oh::lm::testing
