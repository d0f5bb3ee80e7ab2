// ICL analyses (src/icl/analysis) where the answer is known: the GD construction's products are the
// analytic matrices, a model rebuilt from its products computes the same function, the interpolation
// path ends at the two models' losses, the construction's context curve is explicit GD with the
// step it effectively takes at each N′, GD++ never loses to GD, and a report from two tiny runs.
#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "icl/analysis/icl_report.h"
#include "icl/analysis/model_loss.h"
#include "icl/gd_baselines.h"
#include "icl/gd_construction.h"

namespace oh::icl::analysis {
namespace {
namespace fs = std::filesystem;

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

LinearTaskConfig small_task() {
  LinearTaskConfig t;
  t.input_dim = 4, t.context_size = 6;
  return t;
}

LsaModel gd_model(int layers, double eta, double gamma = 0.0) {
  GdConstruction c;
  c.input_dim = 4, c.context_size = 6, c.layers = layers, c.eta = eta, c.gamma = gamma;
  return make_gd_model(c);
}

TEST(WeightProducts, ConstructionProductsAreTheAnalyticMatrices) {
  for (const double gamma : {0.0, 0.3}) {
    const auto heads = layer_products(gd_model(2, 2.5, gamma), 1);
    ASSERT_EQ(heads.size(), 1u);
    const HeadProducts expected = gd_products(4, 6, 2.5, gamma);
    EXPECT_LT(max_abs(heads[0].kq - expected.kq), 1e-7) << "gamma " << gamma;
    EXPECT_LT(max_abs(heads[0].pv - expected.pv), 1e-7) << "gamma " << gamma;  // float32 weights
    EXPECT_DOUBLE_EQ(expected.pv[4][4].item<double>(), -2.5 / 6);
  }
  EXPECT_THROW(layer_products(gd_model(2, 1.0), 2), InputError);
}

TEST(WeightProducts, NormalizationRecoversTheFreeScale) {
  const HeadProducts gd = gd_products(4, 6, 3.0);
  const NormalizedProducts n = normalize_to({gd.kq * -2.0, gd.pv / -2.0}, gd);
  EXPECT_NEAR(n.scale, -2.0, 1e-12);
  EXPECT_LT(n.kq_relative_error, 1e-12);
  EXPECT_LT(n.pv_relative_error, 1e-12);
  EXPECT_THROW(normalize_to({at::zeros_like(gd.kq), gd.pv}, gd), InputError);
}

TEST(WeightProducts, ModelFromProductsComputesTheSameFunction) {
  LsaConfig config;
  config.token_dim = 5, config.layers = 2, config.heads = 2, config.key_dim = 3;
  const LsaModel model = LsaModel::random(config, 0.3, 7);
  std::vector<std::vector<HeadProducts>> layers = {layer_products(model, 0), layer_products(model, 1)};
  const LsaModel rebuilt = model_from_products(layers);
  const at::Tensor tokens = make_tokens(sample_linear_tasks(small_task(), 64, 3));
  c10::NoGradGuard no_grad;
  const at::Tensor a = model.forward(tokens), b = rebuilt.forward(tokens);
  // Float32 sums in another order: relative to the predictions' scale.
  EXPECT_LT(max_abs(a - b), 1e-5 * (1 + max_abs(a)));
}

TEST(Interpolation, EndpointsAreTheTwoModelsLosses) {
  // A "trained" model: the construction's products at another scale, perturbed.
  const double eta = 2.0;
  const HeadProducts gd = gd_products(4, 6, eta);
  at::manual_seed(0);
  const HeadProducts off{gd.kq * 3.0 + 0.05 * at::randn_like(gd.kq), gd.pv / 3.0 + 0.02 * at::randn_like(gd.pv)};
  const LsaModel trained = model_from_products({{off}});
  const LinearTasks tasks = sample_linear_tasks(small_task(), 500, 4);
  const auto path = interpolate_to_gd(trained, eta, tasks, uniform_alphas(5));
  ASSERT_EQ(path.size(), 5u);
  EXPECT_DOUBLE_EQ(path[2].alpha, 0.5);
  EXPECT_NEAR(path.front().loss, model_loss(trained, tasks), 1e-5 * path.front().loss);
  EXPECT_NEAR(path.back().loss, model_loss(gd_model(1, eta), tasks), 1e-5 * path.back().loss);
  EXPECT_GT(std::fabs(path.front().loss - path.back().loss), 1e-3);  // the endpoints differ: the test can fail
  EXPECT_THROW(uniform_alphas(1), InputError);
}

TEST(ContextCurve, ConstructionIsGdWithItsEffectiveStep) {
  // The construction built for N sums over N′ tokens with P = η/N: GD with step η·N′/N.
  const double eta = 2.0;
  TrainConfig config;
  config.task_config = small_task();
  config.eval_seed = 11;
  const auto curve = context_curve(gd_model(2, eta), config, {8, 400, eta, 2});
  ASSERT_EQ(curve.size(), 8u);
  for (const auto& p : curve) {
    const LinearTasks tasks = eval_tasks(config, 400, p.context_size);
    const double explicit_gd = half_mse(gradient_descent(tasks, eta * p.context_size / 6.0, 2).predictions, tasks.y_test);
    EXPECT_NEAR(p.model_loss, explicit_gd, 1e-5 * explicit_gd) << "N' = " << p.context_size;
    EXPECT_DOUBLE_EQ(p.gd_loss, half_mse(gradient_descent(tasks, eta, 2).predictions, tasks.y_test));
    EXPECT_FALSE(p.ridge_loss.has_value());
    if (p.context_size >= 4) EXPECT_LT(p.least_squares_loss, 1e-12);  // noiseless and N′ ≥ d: exact recovery
    else EXPECT_GT(p.least_squares_loss, 1e-3);
  }
  EXPECT_THROW(context_curve(gd_model(1, eta), config, {0, 10, eta, 1}), InputError);
}

TEST(GdReference, GdppNeverLosesToGdOnTheSearchTasks) {
  const LinearTasks search = sample_linear_tasks(small_task(), 400, 2);
  const LinearTasks eval = sample_linear_tasks(small_task(), 400, 1);
  for (const int k : {1, 3}) {
    const double gd = line_search_gd_eta(search, k).loss;
    const GdppTuning pp = tune_gdpp(search, k);
    // γ = 0 is GD and lies in the searched range; allow the golden-section's own resolution.
    EXPECT_LE(pp.loss, gd * (1 + 1e-4)) << "K = " << k;
    const GdReferencePoint p = gd_reference_point(search, eval, k);
    EXPECT_EQ(p.steps, k);
    EXPECT_DOUBLE_EQ(p.gd_loss, half_mse(gradient_descent(eval, p.gd_eta, k).predictions, eval.y_test));
    EXPECT_NEAR(p.gdpp_loss, model_loss(gd_model(k, p.gdpp_eta, p.gdpp_gamma), eval), 1e-12);
  }
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("oh_icl_analysis_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

std::string train_tiny(const std::string& name, int layers, uint64_t eval_seed = 1) {
  TrainConfig c;
  c.task_config = small_task();
  c.layers = layers, c.steps = 20, c.batch = 64, c.eval_every = 10, c.eval_tasks = 200, c.line_search_tasks = 200;
  c.eval_seed = eval_seed;
  TrainOptions o;
  o.out_dir = fresh_dir(name).string();
  o.progress = false;
  EXPECT_TRUE(train_icl(c, o).finished);
  return o.out_dir;
}

TEST(Report, TwoTinyRunsGiveEveryFigureAndCsv) {
  const std::string one = train_tiny("one", 1), two = train_tiny("two", 2), other = train_tiny("other", 1, 5);
  const auto runs = load_runs({one, two});
  ASSERT_EQ(runs[0].history.size(), 3u);  // steps 0, 10, 20
  EXPECT_EQ(runs[0].history.back().step, 20);
  std::ifstream final_metrics(fs::path(one) / "metrics.json");
  const nlohmann::json j = nlohmann::json::parse(final_metrics);
  EXPECT_DOUBLE_EQ(runs[0].history.back().eval_loss, j.at("eval_loss").get<double>());
  EXPECT_THROW(load_runs({one, other}), InputError);  // another eval seed
  EXPECT_THROW(load_runs({one, (fs::path(one) / "missing").string()}), InputError);
  EXPECT_THROW(load_runs({}), InputError);

  IclReportOptions options;
  options.max_context = 4, options.interpolation_points = 3;
  const IclAnalyses a = analyze_runs(runs, options);
  ASSERT_EQ(a.gd_reference.size(), 2u);
  EXPECT_EQ(a.runs[0].products.size(), 1u);
  EXPECT_EQ(a.runs[1].products.size(), 2u);
  EXPECT_EQ(a.runs[0].interpolation.size(), 3u);
  // The run's own eval loss, recomputed on the same 200 tasks, matches its last evaluation.
  EXPECT_NEAR(a.runs[0].eval_loss, runs[0].history.back().eval_loss, 1e-6 * runs[0].history.back().eval_loss);
  EXPECT_NEAR(a.gd_reference[0].gd_loss, runs[0].history.back().gd_loss, 1e-6 * runs[0].history.back().gd_loss);

  const std::string html = (fs::path(one) / "report.html").string();
  const auto written = write_icl_report(a, html);
  EXPECT_EQ(written.size(), 6u);
  for (const auto& path : written) EXPECT_GT(fs::file_size(path), 0u) << path;
  // 1 loss + 3 alignment charts, 3 heatmaps, interpolation, layers, context curve.
  EXPECT_EQ(build_icl_report(a).chart_count(), 10u);
  for (const auto& dir : {one, two, other}) fs::remove_all(dir);
}

}  // namespace
}  // namespace oh::icl::analysis
