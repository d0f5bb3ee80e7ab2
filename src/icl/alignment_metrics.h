#pragma once
// How closely a trained model follows gradient descent on the same tasks (von Oswald et al. 2023;
// DESIGN §7): losses, preds diff = mean |ŷ_TF − ŷ_GD|, model diff = mean ‖∂ŷ_TF/∂x_test − ∂ŷ_GD/∂x_test‖₂,
// model cos = mean cosine of those gradients (1e-8 added to each norm). Gradients of the model come
// from autograd through its forward pass; GD's is its final weight vector (ŷ_GD = W_K·x_test).
#include <cstdint>

#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"

namespace oh::icl {

struct AlignmentMetrics {
  int64_t tasks = 0;
  double eval_loss = 0;   // ½ MSE of the model (its query is (x_test, 0))
  double gd_loss = 0;     // ½ MSE of `gd_steps`-step GD from 0 with step η
  double loss_ratio = 0;  // eval_loss / gd_loss, paired on the same tasks
  double preds_diff = 0, model_diff = 0, model_cos = 0;
};

AlignmentMetrics compare_with_gd(const LsaModel& model, const LinearTasks& tasks, double eta, int gd_steps);

}  // namespace oh::icl
