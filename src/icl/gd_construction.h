#pragma once
// The LSA weights that implement gradient descent (von Oswald et al. 2023; DESIGN §7), one head,
// key dimension D = d + 1, the same weights in every layer:
//   GD:   W_K = W_Q = [[I,0],[0,0]], W_V = [[0,0],[W0,−I]], P = (η/N) I: each layer is one GD step from
//         W0 on 1/(2N) Σ‖W x_i − y_i‖², so K layers are K steps.
//   GD++: W_V = [[I,0],[W0,−I]], P = diag(−γ I, η/N): additionally x ← (I − γ Σ_i x_i x_iᵀ) x for every
//         token (γ not divided by N).
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "icl/lsa_model.h"

namespace oh::icl {

struct GdConstruction {
  int64_t input_dim = 10;     // d
  int64_t context_size = 10;  // N
  int layers = 1;             // K steps
  double eta = 1.0;
  double gamma = 0.0;  // GD++ preconditioning; 0 gives plain GD
  at::Tensor w0;       // [1, d] start of descent; undefined = 0
};

/// InputError for d, N or K ≤ 0 and non-finite η or γ.
LsaModel make_gd_model(const GdConstruction& construction);

}  // namespace oh::icl
