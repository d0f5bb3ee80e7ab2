#pragma once
// One small random model per architecture, for tests that run the same checks on Llama and GPT-2.
#include <cstdint>
#include <string>

#include "lm/format/ggml_types.h"

namespace oh::lm::testing {

/// Writes `path`: for "llama", 2 blocks of width 32 with 4 query heads on 2 KV heads, 300 numbered tokens,
/// tied output, weights N(0, 0.3²) (sharp attention) and norm weights 1 + N(0, 0.1²); for "gpt2", the
/// TinyGpt2Shape defaults with weights N(0, 0.2²). Matrices are stored as `weight_type`.
void write_tiny_model(const std::string& path, const std::string& architecture, uint32_t seed, GgmlType weight_type = GgmlType::F32);

}  // namespace oh::lm::testing
