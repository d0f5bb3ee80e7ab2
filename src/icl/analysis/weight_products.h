#pragma once
// What an LSA layer computes depends on its weights only through two D×D products per head h
// (von Oswald et al. 2023, Fig. 2): the score matrix W_KQ = W_Kᵀ W_Q (score_ij = e_iᵀ W_KQ e_j) and
// the value map P W_V (P's block of columns for head h), since e_j += Σ_h P W_V Σ_i e_i e_iᵀ W_KQ e_j.
// The GD construction's products are W_KQ = [[I,0],[0,0]] and P W_V = (η/N)[[0,0],[W0,−I]] (GD++:
// the x block of P W_V is −γI). Scaling W_KQ by c and P W_V by 1/c leaves the layer unchanged, so a
// trained layer is compared with the construction after fixing that scale (normalize_to).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "icl/lsa_model.h"

namespace oh::icl::analysis {

struct HeadProducts {
  at::Tensor kq;  // [D, D] W_Kᵀ W_Q, float64
  at::Tensor pv;  // [D, D] P_h W_V, float64
};

/// One entry per head of `layer` (0-based; InputError when out of range).
std::vector<HeadProducts> layer_products(const LsaModel& model, int layer);

/// The products of one layer of the GD (γ = 0) or GD++ construction with step η on N context pairs, W0 = 0.
HeadProducts gd_products(int64_t input_dim, int64_t context_size, double eta, double gamma = 0.0);

struct NormalizedProducts {
  HeadProducts products;  // kq / c and pv · c: the same layer function
  double scale = 1;       // c, the least-squares fit of trained.kq ≈ c · reference.kq
  double kq_relative_error = 0, pv_relative_error = 0;  // ‖normalized − reference‖_F / ‖reference‖_F
};

/// Fixes the free scale of `trained` against `reference` (InputError when trained.kq has no
/// component along reference.kq, which leaves the scale undetermined).
NormalizedProducts normalize_to(const HeadProducts& trained, const HeadProducts& reference);

/// The LSA stack whose layer l computes exactly layers[l]'s heads: W_Q = W_KQ, W_K = W_V = I, P = [P W_V …].
/// Every layer must have the same number of heads and D.
LsaModel model_from_products(const std::vector<std::vector<HeadProducts>>& layers);

}  // namespace oh::icl::analysis
