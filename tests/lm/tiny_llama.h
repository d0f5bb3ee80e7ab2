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
  float weight_std = 0.02f;  // larger values give sharp attention, so rotary and masking errors show in logits
  bool tied_output = true;   // false: an `output` tensor of its own
  bool random_norms = false; // norm weights 1 + N(0, 0.1²) instead of ones, so a dropped norm weight shows
  bool rope_freqs = false;   // a Llama-3.1 rope_freqs tensor: divisors rising linearly from 1 to 8 over the pairs
  bool zero_matrices = false; // weight matrices all zero, left as holes in a sparse file (memory benchmarks of large shapes)
};

/// Tokens "t0", "t1", ... (all normal, no merges): a vocabulary of any size for models whose text is never
/// tokenized.
Vocabulary numbered_vocabulary(size_t size);

/// Writes `path`: llama.* hyperparameters, tokenizer.ggml.*, and N(0, weight_std²) weights from numpy's
/// RandomState(seed), drawn in file order; norms (and rope_freqs) are F32 (llama.cpp requires it), other
/// weights `weight_type` (K-quants need n_embd and n_ff multiples of 256).
void write_tiny_llama(const std::string& path, const Vocabulary& vocabulary, const TinyLlamaShape& shape, uint32_t seed,
                      GgmlType weight_type = GgmlType::F32);

}  // namespace oh::lm::testing
