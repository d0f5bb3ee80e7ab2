#include "icl/alignment_metrics.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>

#include "icl/gd_baselines.h"

namespace oh::icl {

AlignmentMetrics compare_with_gd(const LsaModel& model, const LinearTasks& tasks, double eta, int gd_steps) {
  c10::AutoGradMode grad_mode(true);  // ∂ŷ/∂x_test even when the caller evaluates without grad
  const LsaModel frozen = model.detached();
  const at::Tensor x_test = tasks.x_test.detach().clone().requires_grad_(true);
  const at::Tensor model_predictions = frozen.forward(make_tokens(tasks.x, tasks.y, x_test));
  model_predictions.sum().backward();  // tasks are independent: the sum's gradient holds each task's own
  const at::Tensor model_gradient = x_test.grad().to(at::kDouble);
  const GdResult gd = gradient_descent(tasks, eta, gd_steps);
  const at::Tensor gd_gradient = gd.weights.squeeze(1).to(at::kDouble);

  AlignmentMetrics m;
  m.tasks = tasks.count();
  m.eval_loss = half_mse(model_predictions.detach(), tasks.y_test);
  m.gd_loss = half_mse(gd.predictions, tasks.y_test);
  m.loss_ratio = m.eval_loss / m.gd_loss;
  m.preds_diff = (model_predictions.detach().to(at::kDouble) - gd.predictions.to(at::kDouble)).abs().mean().item<double>();
  m.model_diff = (model_gradient - gd_gradient).norm(2, {1}).mean().item<double>();
  const at::Tensor cosine = (model_gradient * gd_gradient).sum(1) / ((model_gradient.norm(2, {1}) + 1e-8) * (gd_gradient.norm(2, {1}) + 1e-8));
  m.model_cos = cosine.mean().item<double>();
  return m;
}

}  // namespace oh::icl
