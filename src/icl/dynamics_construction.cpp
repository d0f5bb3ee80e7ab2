#include "icl/dynamics_construction.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace oh::icl {

CausalStack make_prop1_model(int64_t state_dim, double eta, const at::Tensor& phi0) {
  if (state_dim <= 0) throw InputError("Prop. 1 construction: n_s must be > 0, got " + std::to_string(state_dim));
  if (!std::isfinite(eta)) throw InputError("Prop. 1 construction: η must be finite");
  const int64_t n = state_dim, D = 3 * n;
  if (phi0.defined() && phi0.sizes() != at::IntArrayRef{n, n})
    throw InputError("Prop. 1 construction: Φ0 must be [" + std::to_string(n) + ", " + std::to_string(n) + "]");
  const at::Tensor phi = phi0.defined() ? phi0.to(at::kFloat) : at::zeros({n, n}, at::kFloat);
  const at::Tensor identity = at::eye(n, at::kFloat);
  CausalStack model(make_stack_config("lsa", 1, 1, D, n, 0), 0);
  c10::NoGradGuard no_grad;
  // Blocks are (rows, columns) of n × n pieces in the token layout [Φ0 s_t, s_t, s_{t−1}].
  auto block = [n](const at::Tensor& m, int row, int col) { return m.narrow(0, row * n, n).narrow(1, col * n, n); };
  at::Tensor query = at::zeros({D, D}, at::kFloat), value = at::zeros({D, D}, at::kFloat);
  block(query, 2, 1).copy_(identity);  // score(t', t) = e_{t'}ᵀ W_Kᵀ W_Q e_t = s_{t'−1}·s_t
  block(value, 0, 1).copy_(eta * identity);
  block(value, 0, 2).copy_(-eta * phi);
  model.parameter("blocks.0.attn.w_q").copy_(query);
  model.parameter("blocks.0.attn.w_k").copy_(at::eye(D, at::kFloat));
  model.parameter("blocks.0.attn.w_v").copy_(value);
  model.parameter("blocks.0.attn.w_o").copy_(at::eye(D, at::kFloat));
  return model;
}

}  // namespace oh::icl
