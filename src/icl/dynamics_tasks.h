#pragma once
// Linear dynamical systems for next-token training (mesa-optimization paper; DESIGN §7):
//   h_1 ~ N(0, I),  h_{t+1} = W* f(h_t) + ε_h,  s_t = C* h_t + ε_s,  t = 1..T,
// W* a random orthogonal matrix per sequence (QR of a Gaussian, columns' signs fixed by diag R > 0).
//   fully observed:     n_s = n_h = 10, C* = I, f = id
//   partially observed: n_s = 5, n_h = 15, C* per sequence with entries N(0, observation_var)
//   nonlinear:          C* = I, f(h) = B·GELU(A h), A [n_m, n_h], B [n_h, n_m] per sequence, n_m = 4·n_h,
//                       rescaled to ‖f(h)‖ = ‖h‖.
// Our readings of what the paper leaves open (recorded in run.json): σ² = 0.01 for both noises; A and
// B are drawn per sequence with entry variance mlp_var / fan-in (1.1/n_h and 1.1/n_m), since entries
// of variance 1.1 itself make h grow by a factor of ~10 per step and overflow within T = 50. Even so,
// some sequences' MLPs expand states without bound (an eval set of 200 reached |s| ~ 1e5), so f is
// rescaled to keep the norm, as the orthogonal W* does for the linear systems.
// Randomness: one CPU generator seeded explicitly; draw order W*, C*, A, B, h_1, then per step ε_h and ε_s.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace oh::icl {

enum class DynamicsKind { fully_observed, partially_observed, nonlinear };

struct DynamicsConfig {
  DynamicsKind kind = DynamicsKind::fully_observed;
  int64_t state_dim = 10;     // n_s
  int64_t hidden_dim = 10;    // n_h (= n_s unless partially observed)
  int64_t mlp_dim = 40;       // n_m (nonlinear only)
  int64_t length = 50;        // T
  double observation_var = 0.5;  // entries of C* (partially observed)
  double mlp_var = 1.1;          // A, B entries: mlp_var / fan-in (nonlinear)
  double process_noise_var = 0.01, observation_noise_var = 0.01;

  /// The task names of `icl train --task`: "dynamics", "dynamics-partial", "dynamics-nonlinear" with
  /// their DESIGN §7 dimensions; InputError for any other name.
  static DynamicsConfig preset(const std::string& task);
  static bool is_dynamics_task(const std::string& task);
  /// InputError naming the first impossible field.
  void validate() const;
  std::string kind_name() const;
  /// Token width of the tokens [Φ0 s_t, s_t, s_{t−1}].
  int64_t token_dim() const { return 3 * state_dim; }
};

struct DynamicsSequences {
  at::Tensor states;       // s [b, T, n_s]
  at::Tensor hidden;       // h [b, T, n_h]
  at::Tensor transition;   // W* [b, n_h, n_h]
  at::Tensor observation;  // C* [b, n_s, n_h]
  at::Tensor mlp_in, mlp_out;  // A [b, n_m, n_h], B [b, n_h, n_m]; undefined unless nonlinear

  int64_t count() const { return states.size(0); }
  /// f(h) for h [b, T, n_h] with these sequences' A, B, rescaled to ‖h‖ (identity when linear).
  at::Tensor nonlinearity(const at::Tensor& h) const;
};

/// `count` float32 sequences drawn from `seed`.
DynamicsSequences sample_dynamics(const DynamicsConfig& config, int64_t count, uint64_t seed);

/// Tokens e_t = [Φ0 s_t, s_t, s_{t−1}] (s_0 = 0), [b, T, 3 n_s]; Φ0 [n_s, n_s] or undefined for 0.
at::Tensor dynamics_tokens(const at::Tensor& states, const at::Tensor& phi0 = {});

/// Targets of the positions that have one: s_{t+1} for t = 1..T−1, [b, T−1, n_s].
at::Tensor next_states(const at::Tensor& states);

/// ½ mean over sequences and positions t = 1..T−1 of ‖ŝ_{t+1} − s_{t+1}‖² for predictions [b, T(−1), n_s]
/// (a T-th prediction, which has no target, is ignored); positions [from, T−1) only when from > 0.
at::Tensor next_state_loss(const at::Tensor& predictions, const at::Tensor& states, int64_t from = 0);

/// Baseline: predict s_{t+1} = s_t.
at::Tensor copy_last_predictions(const at::Tensor& states);

/// Baseline: ridge regression Φ̂_t = argmin Σ_{τ<t} ‖s_{τ+1} − Φ s_τ‖² + ridge·‖Φ‖²_F on the context so far,
/// predicting Φ̂_t s_t (computed in double), [b, T, n_s].
at::Tensor least_squares_predictions(const at::Tensor& states, double ridge);

/// Ridge regression at every query on the pairs before it: query t of `queries` [b, Q, n] gets
/// Φ̂_t q_t with Φ̂_t = (Σ_{j<t} out_j in_jᵀ)(Σ_{j<t} in_j in_jᵀ + ridge·I)⁻¹ over the pairs (inputs,
/// outputs) [b, P, n], Q ≤ P + 1; in double. least_squares_predictions is this on consecutive states.
at::Tensor ridge_on_earlier_pairs(const at::Tensor& inputs, const at::Tensor& outputs, const at::Tensor& queries, double ridge);

/// One GD step from Φ0 on Σ_{τ<t} ½‖s_{τ+1} − Φ s_τ‖² at every t, read out at s_t:
/// (Φ0 + η Σ_{τ<t} (s_{τ+1} − Φ0 s_τ) s_τᵀ) s_t, [b, T, n_s], written as explicit sums in double.
at::Tensor gd_step_predictions(const at::Tensor& states, double eta, const at::Tensor& phi0 = {});

}  // namespace oh::icl
