#include "icl/analysis/context_curve.h"

#include <fmt/format.h>

#include "core/error.h"
#include "icl/analysis/model_loss.h"
#include "icl/analysis/run_set.h"
#include "icl/gd_baselines.h"

namespace oh::icl::analysis {

std::optional<double> bayes_ridge_lambda(const LinearTaskConfig& task) {
  if (task.noise_std == 0.0) return std::nullopt;
  return (task.noise_std * task.noise_std) / (task.teacher_scale * task.teacher_scale);
}

std::vector<ContextCurvePoint> context_curve(const LsaModel& model, const TrainConfig& config, const ContextCurveSpec& spec) {
  if (spec.max_context < 1 || spec.tasks < 1 || spec.gd_steps < 1)
    throw InputError(fmt::format("icl analysis: the context curve needs max context, tasks and GD steps ≥ 1 (got {}, {}, {})",
                                 spec.max_context, spec.tasks, spec.gd_steps));
  const std::optional<double> ridge_lambda = bayes_ridge_lambda(config.task_config);
  std::vector<ContextCurvePoint> curve;
  for (int64_t n = 1; n <= spec.max_context; ++n) {
    const LinearTasks tasks = eval_tasks(config, spec.tasks, n);
    const LinearTasks exact = tasks.to(at::kDouble);  // baselines whose rounding must not matter
    ContextCurvePoint p;
    p.context_size = n;
    p.model_loss = model_loss(model, tasks);
    p.gd_loss = half_mse(gradient_descent(tasks, spec.eta, spec.gd_steps).predictions, tasks.y_test);
    p.least_squares_loss = half_mse(ridge_predictions(exact, 0.0), exact.y_test);
    if (ridge_lambda) p.ridge_loss = half_mse(ridge_predictions(exact, *ridge_lambda), exact.y_test);
    curve.push_back(p);
  }
  return curve;
}

}  // namespace oh::icl::analysis
