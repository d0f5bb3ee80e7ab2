#pragma once
// A causal language model as the command line and the conformance tests see it: token ids in,
// float32 logits for every position out. Torch-free, so its users compile without libtorch's headers;
// the tensor-level API (hook points, DESIGN §6) arrives with src/hooks.
#include <cstdint>
#include <string>
#include <vector>

namespace oh::lm {

/// Row-major [positions, vocab] float32 logits.
struct LogitsMatrix {
  int64_t positions = 0;
  int64_t vocab = 0;
  std::vector<float> values;
};

/// How a model computes; the defaults are the engine's own numerics (fp32 on dequantised weights).
struct ModelOptions {
  /// Round activations before each weight matmul as llama.cpp's generic CPU path converts them:
  /// through Q8_0 for Q8_0 weights (reproduces llama.cpp to ~3e-7 relative), to fp16 for F16 weights.
  /// On CPUs with AMX, llama.cpp multiplies F16 weights whose row count is a multiple of 32 with fp32
  /// activations instead, so F16 models are not reproduced there (see lm_logits_conformance).
  bool llama_cpp_rounding = false;
};

class LanguageModel {
 public:
  virtual ~LanguageModel() = default;

  virtual const std::string& architecture() const = 0;
  virtual int64_t vocab_size() const = 0;

  /// Logits after every position of one sequence (full causal attention, no cache). Throws
  /// InputError for an empty sequence or a token id outside [0, vocab_size()).
  LogitsMatrix logits(const std::vector<int64_t>& tokens) const;

 protected:
  /// `tokens` are valid: non-empty and in range.
  virtual LogitsMatrix forward(const std::vector<int64_t>& tokens) const = 0;
};

}  // namespace oh::lm
