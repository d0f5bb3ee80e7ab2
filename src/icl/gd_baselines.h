#pragma once
// The algorithms a trained transformer is compared with: explicit gradient descent on the in-context
// loss 1/(2N) Σ‖W x_i − y_i‖², its line-searched step size, and closed-form least squares / ridge.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "icl/linear_tasks.h"

namespace oh::icl {

struct GdResult {
  at::Tensor predictions;  // [b] ŷ = W_K·x_test
  at::Tensor weights;      // [b, 1, d] W_K, which is also ∂ŷ/∂x_test
};

/// `steps` steps of size η from w0 ([1, d], undefined = 0) on each task's context.
GdResult gradient_descent(const LinearTasks& tasks, double eta, int steps, const at::Tensor& w0 = {});

/// ½ mean (ŷ − y_test)² over the tasks, accumulated in double.
double half_mse(const at::Tensor& predictions, const at::Tensor& targets);

struct LineSearchResult {
  double eta = 0;
  double loss = 0;  // ½ MSE of `steps`-step GD at eta on the line-search tasks
};

/// Minimises the GD loss over η > 0 (computed in double): η doubles from 1 (or halves) to bracket the
/// first minimum, then golden-section search to a relative width of 1e-7.
LineSearchResult line_search_gd_eta(const LinearTasks& tasks, int steps, const at::Tensor& w0 = {});

/// Predictions of min_w ‖X w − y‖² + λ‖w‖² per task (λ = 0: least squares, the minimum-norm solution
/// when N < d). InputError for λ < 0 or NaN.
at::Tensor ridge_predictions(const LinearTasks& tasks, double lambda);

}  // namespace oh::icl
