#pragma once
// The Llama architecture (Llama 2/3 shapes): RMSNorm, rotary in HF's half-split layout, GQA/MQA,
// SwiGLU, tied or untied output, fp32 compute.
#include <memory>

#include "lm/arch/language_model.h"

namespace oh::lm {

class GgufFile;

std::unique_ptr<LanguageModel> build_llama(std::shared_ptr<const GgufFile> file, const ModelOptions& options);

}  // namespace oh::lm
