#include "lm/arch/hooked_language_model.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

namespace oh::lm {

LogitsMatrix HookedLanguageModel::compute_logits(const std::vector<int64_t>& tokens) const {
  c10::InferenceMode inference;
  const at::Tensor ids = at::tensor(tokens, at::TensorOptions().dtype(at::kLong)).unsqueeze(0);
  const at::Tensor logits = forward(ids).squeeze(0).to(at::kCPU).contiguous();
  LogitsMatrix out;
  out.positions = logits.size(0);
  out.vocab = logits.size(1);
  out.values.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
  return out;
}

}  // namespace oh::lm
