#pragma once
// Plain-loop CPU kernels for the mesa layer's sequential path (internal to src/icl/mesa): each
// (batch, head) sequence runs on its own, in parallel over sequences, with O(d²) state instead of a
// handful of tensor ops per token (whose dispatch cost dominates at the small d of the ICL lab).
// Tensors are [batch, heads, time, d] (v and z: d_v) of one floating dtype, λ is [heads]; no autograd.
#include <ATen/core/Tensor.h>

namespace oh::icl::mesa::cpu {

struct SequentialSolve {
  at::Tensor q_tilde;   // R_t q_t
  at::Tensor inverses;  // R_t for every t, [batch, heads, time, d, d]; only when asked for
};

/// Sherman–Morrison from R_0 = λI.
SequentialSolve sherman_morrison(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda, bool keep_inverses);

struct ShermanMorrisonGradients {
  at::Tensor q, k, lambda;
};

/// ∂L/∂(q, k, λ) from the saved R_t and q̃ given ∂L/∂q̃ (formulas at solve_adjoint in mesa_solvers.cpp).
ShermanMorrisonGradients sherman_morrison_backward(const at::Tensor& inverses, const at::Tensor& q_tilde, const at::Tensor& k,
                                                   const at::Tensor& grad_q_tilde, const at::Tensor& lambda);

/// z_t = (Σ_{τ≤t} v_τ k_τᵀ) q̃_t with one d_v×d running sum per sequence.
at::Tensor readout(const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v);

struct ReadoutGradients {
  at::Tensor q_tilde, k, v;
};

/// ∂L/∂(q̃, k, v) of the readout given ∂L/∂z, again with one d_v×d state per sequence.
ReadoutGradients readout_backward(const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v,
                                  const at::Tensor& grad_z);

}  // namespace oh::icl::mesa::cpu
