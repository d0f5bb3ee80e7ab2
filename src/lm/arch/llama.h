#pragma once
// The Llama architecture (Llama 2/3 shapes): RMSNorm, rotary in HF's half-split layout, GQA/MQA,
// SwiGLU, tied or untied output, fp32 compute; every hook point of DESIGN §6.
#include <memory>

#include "lm/arch/hooked_language_model.h"

namespace oh::lm {

class ModelSource;

std::unique_ptr<HookedLanguageModel> build_llama(std::shared_ptr<const ModelSource> file, const ModelOptions& options);

}  // namespace oh::lm
