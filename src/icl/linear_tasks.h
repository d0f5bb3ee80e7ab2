#pragma once
// In-context linear regression tasks (DESIGN §7): per task a teacher w ~ N(0, scale² I), N context
// pairs (x_i, y_i = w·x_i + ε) and one query x_test, with x ~ U(low, high)^d.
// Randomness: libtorch's CPU generator (MT19937) seeded explicitly; the same (config, count, seed)
// gives the same tensors at any thread count. Draw order: w, then all N+1 inputs per task (the query
// last), then the label noise (only when noise_std > 0, so noiseless tasks do not depend on it).
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace oh::icl {

struct LinearTaskConfig {
  int64_t input_dim = 10;      // d
  int64_t context_size = 10;   // N
  double x_low = -0.5, x_high = 0.5;
  double teacher_scale = 1.0;  // std of the teacher's entries
  double noise_std = 0.0;      // label noise (context labels and the query's target alike)

  /// InputError naming the first impossible field (dimensions ≤ 0, low ≥ high, negative or NaN scales).
  void validate() const;
  int64_t token_dim() const { return input_dim + 1; }
};

struct LinearTasks {
  at::Tensor x;       // [b, N, d] context inputs
  at::Tensor y;       // [b, N, 1] context labels
  at::Tensor x_test;  // [b, d]
  at::Tensor y_test;  // [b] the query's target
  at::Tensor w;       // [b, 1, d] teachers

  int64_t count() const { return x.size(0); }
  /// The same tasks in `dtype` (e.g. double for baselines whose rounding must not matter).
  LinearTasks to(at::ScalarType dtype) const;
};

/// `count` float32 tasks drawn from `seed`.
LinearTasks sample_linear_tasks(const LinearTaskConfig& config, int64_t count, uint64_t seed);

/// Token matrix [b, N+1, d+1]: rows (x_i, y_i), then the query (x_test, −w0·x_test); w0 is [1, d] or
/// undefined for W0 = 0. x_test may require grad (for ∂ŷ/∂x_test).
at::Tensor make_tokens(const at::Tensor& x, const at::Tensor& y, const at::Tensor& x_test, const at::Tensor& w0 = {});
at::Tensor make_tokens(const LinearTasks& tasks, const at::Tensor& w0 = {});

/// Seeds for independent streams (training step s, eval set, η line-search set) from one seed.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

}  // namespace oh::icl
