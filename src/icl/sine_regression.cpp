// Includes libtorch's optimizer header (like the other training loops of the lab).
#include "icl/sine_regression.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <torch/optim/optimizer.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "icl/gd_baselines.h"
#include "icl/optimizer.h"
#include "icl/train_config.h"

namespace oh::icl {
namespace {

constexpr uint64_t kInitStream = 0;  // training batch of step s: stream s + 1
constexpr double kFirstBiasStd = 2.5;
constexpr int64_t kCurveEvery = 100;

LsaModel initial_lsa(const SineTrainConfig& c, uint64_t seed) {
  LsaConfig lsa;
  lsa.token_dim = c.feature_dim + 1;
  return LsaModel::random(lsa, c.lsa_init_std, seed);
}

}  // namespace

void SineTrainConfig::validate() const {
  task.validate();
  auto positive = [](const char* name, int64_t v) {
    if (v <= 0) throw InputError(std::string("icl sine: ") + name + " must be > 0, got " + std::to_string(v));
  };
  positive("hidden width", hidden_dim), positive("feature width", feature_dim), positive("steps", steps), positive("batch", batch);
  positive("eval tasks", eval_tasks), positive("line-search tasks", line_search_tasks);
  if (!std::isfinite(lr) || !(lr > 0)) throw InputError("icl sine: learning rate must be finite and > 0, got " + std::to_string(lr));
  if (!std::isfinite(lsa_init_std) || lsa_init_std < 0)
    throw InputError("icl sine: LSA init std must be finite and ≥ 0, got " + std::to_string(lsa_init_std));
}

SineRegressionModel::SineRegressionModel(const SineTrainConfig& c, uint64_t seed, SineReadout readout)
    : readout_(readout), lsa_(initial_lsa(c, derive_seed(seed, 1))) {
  c.validate();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, 0));
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const int64_t h = c.hidden_dim, f = c.feature_dim;
  w1_ = at::normal(0.0, 1.0, {h, 1}, gen, options);
  b1_ = at::normal(0.0, kFirstBiasStd, {h}, gen, options);
  w2_ = at::normal(0.0, 1.0 / std::sqrt(static_cast<double>(h)), {h, h}, gen, options);
  b2_ = at::zeros({h}, options);
  w3_ = at::normal(0.0, 1.0 / std::sqrt(static_cast<double>(h)), {f, h}, gen, options);
  b3_ = at::zeros({f}, options);
}

at::Tensor SineRegressionModel::features(const at::Tensor& x) const {
  const at::Tensor h1 = at::gelu(at::matmul(x, w1_.t()) + b1_);
  const at::Tensor h2 = at::gelu(at::matmul(h1, w2_.t()) + b2_);
  return at::matmul(h2, w3_.t()) + b3_;
}

LinearTasks SineRegressionModel::feature_tasks(const SineTasks& tasks) const {
  const int64_t b = tasks.count(), f = w3_.size(0);
  const at::Tensor no_teacher = at::full({b, 1, f}, std::numeric_limits<double>::quiet_NaN(), tasks.x.options());
  return {features(tasks.x), tasks.y, features(tasks.x_test), tasks.y_test, no_teacher};
}

at::Tensor SineRegressionModel::predict(const SineTasks& tasks) const {
  if (readout_ == SineReadout::gd_step) return gradient_descent(feature_tasks(tasks), 1.0, 1).predictions;
  return lsa_.forward(make_tokens(features(tasks.x), tasks.y, features(tasks.x_test)));
}

std::vector<at::Tensor> SineRegressionModel::parameters() const {
  std::vector<at::Tensor> list{w1_, b1_, w2_, b2_, w3_, b3_};
  if (readout_ == SineReadout::lsa)
    for (const at::Tensor& p : lsa_.parameters()) list.push_back(p);
  return list;
}

double sine_loss(const SineRegressionModel& model, const SineTasks& tasks) {
  c10::NoGradGuard no_grad;
  return half_mse(model.predict(tasks), tasks.y_test);
}

namespace {

SineMetrics evaluate(const SineRegressionModel& model, const SineRegressionModel& gd_model, const SineTrainConfig& config) {
  const SineTasks eval = sample_sine_tasks(config.task, config.eval_tasks, config.eval_seed);
  const SineTasks search = sample_sine_tasks(config.task, config.line_search_tasks, config.line_search_seed);
  LinearTasks eval_features, search_features;
  {
    c10::NoGradGuard no_grad;
    eval_features = model.feature_tasks(eval), search_features = model.feature_tasks(search);
  }
  SineMetrics m;
  m.tasks = eval.count();
  m.zero_loss = half_mse(at::zeros_like(eval.y_test), eval.y_test);
  m.gd_eta = line_search_gd_eta(search_features, 1).eta;
  m.on_features = compare_with_gd(model.lsa(), eval_features, m.gd_eta, 1);
  m.least_squares_loss = half_mse(ridge_predictions(eval_features.to(at::kDouble), 0.0), eval.y_test);
  m.learned_gd_loss = sine_loss(gd_model, eval);
  return m;
}

SineRegressionModel fit(const SineTrainConfig& config, SineReadout readout, bool progress, std::vector<std::pair<int64_t, double>>& curve) {
  SineRegressionModel model(config, derive_seed(config.seed, kInitStream), readout);
  const char* name = readout == SineReadout::lsa ? "LSA" : "GD step";
  const std::vector<at::Tensor> parameters = model.parameters();
  for (const at::Tensor& p : parameters) p.requires_grad_(true);
  TrainConfig adam;  // the linear runs' Adam settings with this run's learning rate
  adam.lr = config.lr;
  const std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(adam, parameters);

  for (int64_t step = 0; step < config.steps; ++step) {
    const SineTasks batch = sample_sine_tasks(config.task, config.batch, derive_seed(config.seed, static_cast<uint64_t>(step) + 1));
    const at::Tensor loss = 0.5 * (model.predict(batch) - batch.y_test).pow(2).mean();
    const double value = loss.item<double>();
    if (!std::isfinite(value)) throw ComputationError("icl sine: training loss is not finite at step " + std::to_string(step));
    if (step % kCurveEvery == 0 || step == config.steps - 1) {
      curve.emplace_back(step, value);
      if (progress) std::fprintf(stderr, "icl sine (%s): step %lld  train ½MSE %.6f\n", name, static_cast<long long>(step), value);
    }
    optimizer->zero_grad();
    loss.backward();
    optimizer->step();
  }
  for (const at::Tensor& p : parameters) p.requires_grad_(false);
  return model;
}

}  // namespace

SineTrainResult train_sine(const SineTrainConfig& config, bool progress) {
  config.validate();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<int64_t, double>> curve, gd_curve;
  SineRegressionModel model = fit(config, SineReadout::lsa, progress, curve);
  const SineRegressionModel gd_model = fit(config, SineReadout::gd_step, progress, gd_curve);
  SineTrainResult result{std::move(model), std::move(curve), std::move(gd_curve), {}, 0};
  result.metrics = evaluate(result.model, gd_model, config);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string sine_metrics_json_text(const SineTrainConfig& c, const SineTrainResult& r) {
  const SineTaskConfig& t = c.task;
  const SineMetrics& m = r.metrics;
  auto curve = [](const std::vector<std::pair<int64_t, double>>& points) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [step, loss] : points) list.push_back({{"step", step}, {"train_loss", loss}});
    return list;
  };
  const nlohmann::json j = {
      {"config",
       {{"context_size", t.context_size}, {"amplitude", {t.amplitude_low, t.amplitude_high}}, {"phase", {t.phase_low, t.phase_high}},
        {"x_range", {t.x_low, t.x_high}}, {"hidden_dim", c.hidden_dim}, {"feature_dim", c.feature_dim},
        {"lsa_init_std", c.lsa_init_std}, {"lr", c.lr}, {"steps", c.steps}, {"batch", c.batch}, {"eval_tasks", c.eval_tasks},
        {"line_search_tasks", c.line_search_tasks}, {"seed", c.seed}, {"eval_seed", c.eval_seed},
        {"line_search_seed", c.line_search_seed}}},
      {"train_curve", curve(r.train_curve)},
      {"gd_train_curve", curve(r.gd_train_curve)},
      {"seconds", r.seconds},
      {"eval_tasks", m.tasks},
      {"eval_loss", m.on_features.eval_loss},
      {"zero_loss", m.zero_loss},
      {"gd_eta", m.gd_eta},
      {"gd_loss", m.on_features.gd_loss},
      {"loss_ratio", m.on_features.loss_ratio},
      {"preds_diff", m.on_features.preds_diff},
      {"model_diff", m.on_features.model_diff},
      {"model_cos", m.on_features.model_cos},
      {"least_squares_loss", m.least_squares_loss},
      {"learned_gd_loss", m.learned_gd_loss}};
  return j.dump(2);
}

}  // namespace oh::icl
