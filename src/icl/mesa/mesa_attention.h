#pragma once
// The mesa layer (DESIGN §7): multi-head attention whose heads each solve a causal ridge regression
// from keys to values and read it out at the query,
//   out_t = P · concat_h( Φ̂_t q_t ),   Φ̂_t = (Σ_{τ≤t} v_τ k_τᵀ)(Σ_{τ≤t} k_τ k_τᵀ + I/λ_h)⁻¹,
// with q, k, v = W_Q x, W_K x, W_V x per head and λ_h > 0 learned as exp(ρ_h) (or fixed). The layer
// returns the attention output; the owning block adds it to the residual stream.
// Hook points (declared in the owner's registry, TransformerLens's names, b batch, p position):
//   blocks.L.attn.hook_q, hook_k, hook_v, hook_q_tilde (R_t q_t), hook_z   [b, p, heads, d_head]
//   blocks.L.hook_attn_out                                                 [b, p, d_model]
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "hooks/hook_pass.h"
#include "hooks/hook_point_registry.h"
#include "icl/mesa/mesa_solvers.h"

namespace oh::icl::mesa {

/// How q̃ is computed; all agree to rounding (see mesa_solvers.h). sherman_morrison_fused also reads out
/// with mesa_readout_fused; the others use mesa_readout.
enum class MesaSolver { sherman_morrison, sherman_morrison_fused, cholesky, conjugate_gradient };

/// "sherman_morrison", "sherman_morrison_fused", "cholesky", "conjugate_gradient"; InputError otherwise.
MesaSolver mesa_solver_from_name(const std::string& name);
std::string mesa_solver_name(MesaSolver solver);

struct MesaAttentionOptions {
  int64_t d_model = 0;
  int64_t heads = 1;
  int64_t d_head = 0;                   // 0: d_model / heads (which must divide)
  double lambda_init = 1.0;             // learned λ starts here
  std::optional<double> fixed_lambda;   // when set, λ is this value for every head and not learned
  double init_std = 0.0135;             // normal init of W_Q, W_K, W_V and P (the ICL recipe, DESIGN §7)
  // The last position only reads the regression fitted on the positions before it and adds no key or
  // value to it (the in-context regression layout: N context tokens, then the query). Otherwise causal,
  // every position including itself.
  bool last_position_is_query = false;
  // The fastest path, forward and backward, both at the ICL recipe's shapes and for long sequences
  // (forward + backward at batch 2048, T = 11, d = 11 measured 77 ms against Cholesky's 242 ms).
  MesaSolver solver = MesaSolver::sherman_morrison_fused;
  ConjugateGradientOptions conjugate_gradient;
  at::ScalarType dtype = at::kFloat;    // kFloat or kDouble
};

class MesaAttentionImpl : public torch::nn::Module {
 public:
  /// Declares this layer's hook points as block `layer` of `registry` and draws the weights from
  /// `generator`. InputError for impossible options (heads not dividing d_model, λ ≤ 0 or NaN, ...).
  MesaAttentionImpl(const MesaAttentionOptions& options, hooks::HookPointRegistry& registry, int layer,
                    at::Generator generator);

  /// x [b, p, d_model] → attention output [b, p, d_model]. InputError for a wrong shape or dtype and
  /// for NaN/infinite input.
  at::Tensor forward(const at::Tensor& x, hooks::HookPass& pass) const;

  /// λ per head, [heads], positive.
  at::Tensor lambda() const;

  const MesaAttentionOptions& options() const { return options_; }
  const at::Tensor& w_q() const { return w_q_; }  // [heads · d_head, d_model]
  const at::Tensor& w_k() const { return w_k_; }
  const at::Tensor& w_v() const { return w_v_; }
  const at::Tensor& w_o() const { return w_o_; }  // P: [d_model, heads · d_head]

 private:
  at::Tensor solve(const at::Tensor& q, const at::Tensor& k) const;

  MesaAttentionOptions options_;
  int layer_;
  at::Tensor w_q_, w_k_, w_v_, w_o_;
  at::Tensor log_lambda_;  // learned: λ = exp(ρ)
  at::Tensor fixed_lambda_;
  hooks::HookId hook_q_, hook_k_, hook_v_, hook_q_tilde_, hook_z_, hook_attn_out_;
};

TORCH_MODULE(MesaAttention);

}  // namespace oh::icl::mesa
