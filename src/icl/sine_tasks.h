#pragma once
// In-context sine regression (von Oswald et al. 2023, §4; DESIGN §7): per task y = A·sin(x + φ) with
// amplitude A ~ U(0.1, 0.5), phase φ ~ U(0, π), N context pairs and one query, x ~ U(−5, 5) (the
// ranges of the paper's code). The targets are not linear in x, so a model needs learned features.
// Randomness: one CPU generator (MT19937) seeded explicitly; draw order A, φ, then the N+1 inputs per
// task (the query last).
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace oh::icl {

struct SineTaskConfig {
  int64_t context_size = 10;  // N
  double amplitude_low = 0.1, amplitude_high = 0.5;
  double phase_low = 0.0, phase_high = 3.141592653589793;
  double x_low = -5.0, x_high = 5.0;

  /// InputError naming the first impossible field (N ≤ 0, an empty or non-finite range).
  void validate() const;
};

struct SineTasks {
  at::Tensor x;          // [b, N, 1] context inputs
  at::Tensor y;          // [b, N, 1] context labels
  at::Tensor x_test;     // [b, 1]
  at::Tensor y_test;     // [b]
  at::Tensor amplitude;  // [b]
  at::Tensor phase;      // [b]

  int64_t count() const { return x.size(0); }
};

/// `count` float32 tasks drawn from `seed`.
SineTasks sample_sine_tasks(const SineTaskConfig& config, int64_t count, uint64_t seed);

}  // namespace oh::icl
