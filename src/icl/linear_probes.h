#pragma once
// Linear probes on the residual stream of a causal stack trained on dynamics (mesa-optimization
// paper): a ridge regression with intercept from the cached stream at one hook point ([b, T, D], every
// position a sample) to a target [b, T, k], fitted on one set of sequences and scored by R² on
// another. R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², pooled over the target's coordinates (ȳ per coordinate).
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "icl/causal_stack.h"
#include "icl/dynamics_tasks.h"

namespace oh::icl {

struct ProbeTarget {
  std::string name;
  at::Tensor values;  // [b, T, k]
};

/// The targets, per position t (0-based, s_{−1} = 0):
///   w_star_s        W* f(s_t): the next state's mean as a function of the observation (only when C* = I)
///   gd_step         Σ_{τ<t} s_{τ+1} s_τᵀ s_t: one GD step from Φ = 0 (η = 1; a linear probe absorbs η)
///   least_squares   Φ̂_t s_t with ridge Φ̂_t on the context so far (the mesa layer's answer)
///   preconditioned  (Σ_{τ<t} s_τ s_τᵀ + ridge·I)⁻¹ s_t (the mesa layer's preconditioned query)
std::vector<ProbeTarget> dynamics_probe_targets(const DynamicsConfig& config, const DynamicsSequences& sequences, double ridge);

/// Ridge probe (penalty `ridge` on the weights, not the intercept) from features [n, f] to targets
/// [n, k], fitted on the first pair and scored on the second; computed in double.
double probe_r2(const at::Tensor& train_features, const at::Tensor& train_targets, const at::Tensor& test_features,
                const at::Tensor& test_targets, double ridge);

struct ProbeScore {
  std::string hook;    // hook_embed or blocks.l.hook_resid_post
  int layer = -1;      // -1 for hook_embed
  std::string target;
  double r2 = 0;
};

/// Probes every target at hook_embed and each block's hook_resid_post: fitted on `train`, scored on `test`.
std::vector<ProbeScore> probe_residual_stream(const CausalStack& model, const DynamicsConfig& config, const DynamicsSequences& train,
                                              const DynamicsSequences& test, double target_ridge, double probe_ridge);

}  // namespace oh::icl
