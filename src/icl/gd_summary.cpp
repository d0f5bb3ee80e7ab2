#include "icl/gd_summary.h"

#include <ATen/ATen.h>

#include <string>

#include "core/error.h"
#include "icl/gd_baselines.h"
#include "icl/gd_construction.h"

namespace oh::icl {

GdSummary summarize_gd(const GdSummaryConfig& config) {
  config.task.validate();
  if (config.steps <= 0) throw InputError("icl gd: steps must be > 0, got " + std::to_string(config.steps));
  const LinearTasks search = sample_linear_tasks(config.task, config.line_search_tasks, config.line_search_seed);
  const LinearTasks tasks = sample_linear_tasks(config.task, config.tasks, config.seed);
  const LinearTasks exact = tasks.to(at::kDouble);
  GdSummary s;
  const LineSearchResult found = line_search_gd_eta(search, config.steps);
  s.eta = found.eta, s.line_search_loss = found.loss;
  const at::Tensor gd = gradient_descent(exact, s.eta, config.steps).predictions;
  GdConstruction construction;
  construction.input_dim = config.task.input_dim, construction.context_size = config.task.context_size;
  construction.layers = config.steps, construction.eta = s.eta;
  const at::Tensor lsa = make_gd_model(construction).forward(make_tokens(tasks));
  s.gd_loss = half_mse(gd, tasks.y_test);
  s.lsa_loss = half_mse(lsa, tasks.y_test);
  s.lsa_vs_gd_max_abs_diff = (lsa.to(at::kDouble) - gd).abs().max().item<double>();
  s.least_squares_loss = half_mse(ridge_predictions(exact, 0), tasks.y_test);
  return s;
}

}  // namespace oh::icl
