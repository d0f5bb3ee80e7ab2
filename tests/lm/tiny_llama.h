#pragma once
// A tiny random Llama model around a real vocabulary, written by our GGUF writer, so llama.cpp can
// load the file (tokenizer conformance now, logits conformance later).
#include <cstdint>
#include <string>

#include "lm/format/ggml_types.h"
#include "lm/tokenizer/vocabulary.h"

namespace oh::lm::testing {

struct TinyLlamaShape {
  uint32_t n_embd = 32, n_head = 4, n_head_kv = 2, n_ff = 64, n_layer = 1, context = 512;
  float rope_base = 500000.0f, rms_eps = 1e-5f;
};

/// Writes `path`: llama.* hyperparameters, tokenizer.ggml.*, and N(0, 0.02²) weights (norms 1) from
/// numpy's RandomState(seed); the output projection is tied to token_embd.
void write_tiny_llama(const std::string& path, const Vocabulary& vocabulary, const TinyLlamaShape& shape, uint32_t seed,
                      GgmlType weight_type = GgmlType::F32);

}  // namespace oh::lm::testing
