#pragma once
// Plain-loop kernels over each example's N context tokens, for the fused LSA readout. Raw pointers,
// row-major, contiguous: tokens [b, N+1, D] (context rows 0…N−1, the query last); per-head vectors
// [b, H, D]. Each example touches only its own rows, so the batch is split across threads.
#include <cstdint>

namespace oh::icl::kernels {

struct ContextShape {
  int64_t batch, context, dim, heads;  // b, N, D, H
};

/// w_h = Σ_i e_i (e_i·u_h): the context's second-moment matrix applied to u_h, never formed.
template <typename T>
void apply_context_moments(const ContextShape& s, const T* tokens, const T* u, T* w);

/// Backward of apply_context_moments for upstream gradient r (= ∂L/∂w):
/// du_h = Σ_i e_i (e_i·r_h); when d_tokens is not null, its context rows get
/// Σ_h r_h (e_i·u_h) + u_h (e_i·r_h) (the query row is left untouched).
template <typename T>
void apply_context_moments_backward(const ContextShape& s, const T* tokens, const T* u, const T* r, T* du, T* d_tokens);

}  // namespace oh::icl::kernels
