#pragma once
// The mesa-optimization paper's Prop. 1 (DESIGN §7): one causal linear self-attention layer on tokens
// e_t = [Φ0 s_t, s_t, s_{t−1}] with
//   P W_V = [[0, ηI, −ηΦ0], [0, 0, 0], [0, 0, 0]],   W_Kᵀ W_Q = [[0, 0, 0], [0, 0, 0], [0, I, 0]]
// (here W_K = I, W_Q = W_Kᵀ W_Q, W_V = P W_V, W_O = I) adds η Σ_{t'≤t} (s_{t'} − Φ0 s_{t'−1}) s_{t'−1}ᵀ s_t to
// the first block, which then holds (Φ0 + η ∇-step) s_t: one GD step from Φ0 on Σ_{τ<t} ½‖s_{τ+1} − Φ s_τ‖²,
// read out at s_t, at every position t.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "icl/causal_stack.h"

namespace oh::icl {

/// A 1-layer, 1-head "lsa" stack over tokens of width 3·state_dim; Φ0 [n_s, n_s] or undefined for 0.
/// InputError for state_dim ≤ 0, non-finite η or a Φ0 of the wrong shape.
CausalStack make_prop1_model(int64_t state_dim, double eta, const at::Tensor& phi0 = {});

}  // namespace oh::icl
