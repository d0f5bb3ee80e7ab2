#include "icl/linear_probes.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>

#include <cmath>

#include "core/error.h"
#include "hooks/run.h"

namespace oh::icl {
namespace {

at::Tensor flatten_positions(const at::Tensor& x) { return x.reshape({-1, x.size(-1)}).to(at::kDouble); }

}  // namespace

std::vector<ProbeTarget> dynamics_probe_targets(const DynamicsConfig& config, const DynamicsSequences& sequences, double ridge) {
  const at::Tensor s = sequences.states.to(at::kDouble);
  const int64_t n = s.size(2);
  std::vector<ProbeTarget> targets;
  if (config.kind != DynamicsKind::partially_observed) {
    const at::Tensor f = sequences.nonlinearity(sequences.states).to(at::kDouble);
    targets.push_back({"w_star_s", at::matmul(f, sequences.transition.to(at::kDouble).transpose(1, 2))});
  }
  targets.push_back({"gd_step", gd_step_predictions(s, 1.0)});
  targets.push_back({"least_squares", least_squares_predictions(s, ridge)});
  const at::Tensor inputs = s.narrow(1, 0, s.size(1) - 1);
  const at::Tensor gram = at::constant_pad_nd(at::matmul(inputs.unsqueeze(-1), inputs.unsqueeze(-2)).cumsum(1), {0, 0, 0, 0, 1, 0});
  targets.push_back({"preconditioned", at::linalg_solve(gram + ridge * at::eye(n, s.options()), s.unsqueeze(-1)).squeeze(-1)});
  return targets;
}

double probe_r2(const at::Tensor& train_features, const at::Tensor& train_targets, const at::Tensor& test_features,
                const at::Tensor& test_targets, double ridge) {
  if (!(ridge >= 0) || !std::isfinite(ridge)) throw InputError("probe: ridge must be finite and ≥ 0");
  const at::Tensor x = train_features.to(at::kDouble), y = train_targets.to(at::kDouble);
  const at::Tensor x_mean = x.mean(0, true), y_mean = y.mean(0, true);
  const at::Tensor xc = x - x_mean, yc = y - y_mean;
  const int64_t f = x.size(1);
  // The penalty is relative to the features' scale so that one value suits every hook point.
  const double scale = xc.pow(2).sum().item<double>() / static_cast<double>(f);
  const at::Tensor weights = at::linalg_solve(at::matmul(xc.t(), xc) + ridge * scale * at::eye(f, x.options()), at::matmul(xc.t(), yc));
  const at::Tensor test_y = test_targets.to(at::kDouble);
  const at::Tensor predicted = at::matmul(test_features.to(at::kDouble) - x_mean, weights) + y_mean;
  const double residual = (test_y - predicted).pow(2).sum().item<double>();
  const double total = (test_y - test_y.mean(0, true)).pow(2).sum().item<double>();
  return total > 0 ? 1.0 - residual / total : (residual == 0 ? 1.0 : -INFINITY);
}

std::vector<ProbeScore> probe_residual_stream(const CausalStack& model, const DynamicsConfig& config, const DynamicsSequences& train,
                                              const DynamicsSequences& test, double target_ridge, double probe_ridge) {
  c10::NoGradGuard no_grad;
  std::vector<std::pair<std::string, int>> hooks{{"hook_embed", -1}};
  for (int l = 0; l < static_cast<int>(model.config().layers.size()); ++l) hooks.emplace_back("blocks." + std::to_string(l) + ".hook_resid_post", l);
  std::vector<std::string> names;
  for (const auto& [name, layer] : hooks) names.push_back(name);
  hooks::CacheOptions options;
  options.names = hooks::NameFilter::exactly(names);
  const hooks::CachedRun train_run = hooks::run_with_cache(model, dynamics_tokens(train.states), options);
  const hooks::CachedRun test_run = hooks::run_with_cache(model, dynamics_tokens(test.states), options);
  const std::vector<ProbeTarget> train_targets = dynamics_probe_targets(config, train, target_ridge);
  const std::vector<ProbeTarget> test_targets = dynamics_probe_targets(config, test, target_ridge);
  std::vector<ProbeScore> scores;
  for (const auto& [name, layer] : hooks)
    for (size_t i = 0; i < train_targets.size(); ++i)
      scores.push_back({name, layer, train_targets[i].name,
                        probe_r2(flatten_positions(train_run.cache[name]), flatten_positions(train_targets[i].values),
                                 flatten_positions(test_run.cache[name]), flatten_positions(test_targets[i].values), probe_ridge)});
  return scores;
}

}  // namespace oh::icl
