#pragma once
// A causal language model as the command line and the conformance tests see it: token ids in,
// float32 logits for every position out. Torch-free, so its users compile without libtorch's headers;
// the tensor-level API (batches, hook points, DESIGN §6) is HookedLanguageModel (hooked_language_model.h).
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
  /// Round activations before each weight matmul as llama.cpp's CPU backend converts them: through
  /// Q8_0 for Q8_0 weights, to fp16 for F16 weights (see llama_cpp_amx for the exception).
  bool llama_cpp_rounding = false;
  /// With llama_cpp_rounding: emulate llama.cpp on a CPU with AMX-INT8 + AVX512-VNNI, where F16
  /// weights whose output rows are a multiple of 32 sit in ggml's AMX buffer and multiply fp32
  /// activations unrounded.
  bool llama_cpp_amx = false;
  /// Where weights live and the forward pass runs: "cpu", "cuda" or "cuda:N" (a CUDA libtorch build).
  /// Off the CPU, non-F32 weights are converted to float32 once at load (no convert-on-use).
  std::string device = "cpu";
  /// TransformerLens's weight processing (its from_pretrained defaults), so hook values and logits match a
  /// TransformerLens run: fold_ln (norm weights, and LayerNorm biases, folded into the next matrices),
  /// center_writing_weights (LayerNorm models: what writes to the residual stream has zero mean over d),
  /// fold_value_biases (GPT-2's b_V moved into b_O) and center_unembed (W_U, b_U with zero mean over the
  /// vocabulary: logits shift by a constant per position, probabilities do not change). Weights are
  /// converted to float32 at load.
  bool tl_processing = false;
};

/// How `generate` continues prompts.
struct GenerationOptions {
  int64_t max_new_tokens = 32;
  double temperature = 0;            // 0: greedy (the most likely token, the lowest id on ties)
  int64_t top_k = 0;                 // with temperature > 0: sample among the k most likely (0: all)
  uint32_t seed = 0;                 // numpy RandomState seed of the sampling draws
  std::vector<int64_t> stop_tokens;  // a sequence ends after emitting one of these
};

class LanguageModel {
 public:
  virtual ~LanguageModel() = default;

  virtual const std::string& architecture() const = 0;
  virtual int64_t vocab_size() const = 0;

  /// Logits after every position of one sequence (full causal attention, no cache). Throws
  /// InputError for an empty sequence or a token id outside [0, vocab_size()).
  LogitsMatrix logits(const std::vector<int64_t>& tokens) const;

  /// The tokens each prompt continues with (batched, KV-cached decoding); InputError for an empty
  /// prompt, an id outside the vocabulary or bad options.
  virtual std::vector<std::vector<int64_t>> generate(const std::vector<std::vector<int64_t>>& prompts,
                                                     const GenerationOptions& options) const = 0;

 protected:
  /// `tokens` are valid: non-empty and in range.
  virtual LogitsMatrix compute_logits(const std::vector<int64_t>& tokens) const = 0;
};

}  // namespace oh::lm
