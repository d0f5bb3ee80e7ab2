#include "lm/arch/weight_processing.h"

#include <ATen/ATen.h>

namespace oh::lm {

at::Tensor fold_norm_weight(const at::Tensor& weight, const at::Tensor& norm_weight) { return weight * norm_weight.unsqueeze(0); }

at::Tensor fold_norm_bias(const at::Tensor& weight, const at::Tensor& bias, const at::Tensor& norm_bias) {
  const at::Tensor folded = at::mv(weight, norm_bias);
  return bias.defined() ? bias + folded : folded;
}

at::Tensor center_writes(const at::Tensor& weight, int64_t residual_dim) {
  return weight - weight.mean(residual_dim, /*keepdim=*/true);
}

at::Tensor center_over_vocabulary(const at::Tensor& unembed) { return unembed - unembed.mean(0, /*keepdim=*/unembed.dim() > 1); }

}  // namespace oh::lm
