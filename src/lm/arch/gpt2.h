#pragma once
// The GPT-2 architecture: learned positions, LayerNorm with biases, fused QKV with biases, the tanh GELU
// (`gelu_new`), tied or untied output (with an optional output bias), fp32 compute; the hook points of
// DESIGN §6 with TransformerLens's names (hook_pos_embed, no rotary points, no hook_pre_linear).
// ModelOptions::llama_cpp_rounding emulates llama.cpp's CPU GELU, which looks F32 inputs up in an fp16
// table; the matmul activation rounding of F16/Q8_0 weights is not emulated for GPT-2 (asking for it
// with such weights is an InputError).
#include <memory>

#include "lm/arch/hooked_language_model.h"

namespace oh::lm {

class ModelSource;

/// Builds GPT-2 from any model source (GGUF, or an HF checkpoint via HfGpt2Source); the model keeps the
/// source alive (F32 weights are used in place). InputError for missing or malformed keys and tensors.
std::unique_ptr<HookedLanguageModel> build_gpt2(std::shared_ptr<const ModelSource> source, const ModelOptions& options);

/// llama.cpp's CPU gelu for one float32 input (GGML_GELU_FP16): 0 at or below −10, x at or above 10,
/// otherwise the tanh GELU of the input rounded to fp16, evaluated in float32 and rounded to fp16.
float llama_cpp_gelu(float x);

}  // namespace oh::lm
