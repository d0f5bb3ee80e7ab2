#pragma once
// In-context learning curves: the loss at each context length N′ = 1 … max_context for a trained
// model (trained at one N; its layers sum over however many context tokens they get), K-step GD
// with the run's η (the 1/N′ of the in-context loss keeps the step comparable), least squares
// (minimum-norm when N′ < d) and, with label noise σ, ridge at the Bayes-optimal λ = σ² / scale².
// Each N′ draws its tasks from the run's eval seed.
#include <cstdint>
#include <optional>
#include <vector>

#include "icl/lsa_model.h"
#include "icl/train_config.h"

namespace oh::icl::analysis {

struct ContextCurvePoint {
  int64_t context_size = 0;
  double model_loss = 0, gd_loss = 0, least_squares_loss = 0;
  std::optional<double> ridge_loss;  // only for noisy tasks (noise-free, the Bayes optimum is least squares)
};

struct ContextCurveSpec {
  int64_t max_context = 0;  // N′ runs 1 … max_context
  int64_t tasks = 0;        // per N′
  double eta = 0;           // GD's step size (the run's line-searched η)
  int gd_steps = 0;
};

/// InputError for max_context, tasks or gd_steps < 1.
std::vector<ContextCurvePoint> context_curve(const LsaModel& model, const TrainConfig& config, const ContextCurveSpec& spec);

/// Bayes-optimal ridge λ for the config's tasks, when they are noisy.
std::optional<double> bayes_ridge_lambda(const LinearTaskConfig& task);

}  // namespace oh::icl::analysis
