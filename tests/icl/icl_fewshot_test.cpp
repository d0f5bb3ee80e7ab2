// Issue 4 item 10: sine regression through learned MLP features followed by one LSA layer (von Oswald
// et al. 2023, §4), and few-shot prompting of a model trained on linear dynamics (the mesa-optimization
// paper's early ascent, its least-squares control, and EOS/prefix tuning).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "icl/dynamics_training.h"
#include "icl/few_shot.h"
#include "icl/gd_baselines.h"
#include "icl/sine_regression.h"
#include "icl/sine_tasks.h"

namespace oh::icl {
namespace {

TrainOptions quiet_options(const std::string& dir) {
  TrainOptions options;
  options.out_dir = dir;
  options.progress = false;
  return options;
}

/// A 1-layer mesa stack trained on fully observed dynamics (lr 3e-3, seed 1) in a fresh TempDir()/`name`.
DynamicsRun trained_mesa_run(const std::string& name, int64_t steps, int64_t batch, int64_t eval_every, int64_t eval_tasks) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  TrainConfig t;
  t.task = "dynamics", t.model = "mesa", t.steps = steps, t.batch = batch, t.eval_every = eval_every, t.eval_tasks = eval_tasks;
  t.lr = 3e-3, t.seed = 1;
  train_dynamics(DynamicsTrainConfig::from(t), quiet_options(dir));
  return load_dynamics_run(dir);
}

TEST(SineTasks, FollowTheirDefinitionAndAreSeeded) {
  SineTaskConfig config;
  const SineTasks a = sample_sine_tasks(config, 500, 3), b = sample_sine_tasks(config, 500, 3), c = sample_sine_tasks(config, 500, 4);
  EXPECT_TRUE(at::equal(a.x, b.x) && at::equal(a.y, b.y) && at::equal(a.phase, b.phase));
  EXPECT_FALSE(at::equal(a.x, c.x));
  ASSERT_EQ(a.x.sizes(), (at::IntArrayRef{500, 10, 1}));
  ASSERT_EQ(a.x_test.sizes(), (at::IntArrayRef{500, 1}));
  // Labels against the definition, element by element in double.
  const at::Tensor amplitude = a.amplitude.to(at::kDouble), phase = a.phase.to(at::kDouble);
  const at::Tensor x = a.x.to(at::kDouble), y = a.y.to(at::kDouble);
  double worst = 0;
  for (int64_t t = 0; t < 500; t += 37) {
    for (int64_t i = 0; i < 10; ++i)
      worst = std::max(worst, std::abs(y[t][i][0].item<double>() -
                                       amplitude[t].item<double>() * std::sin(x[t][i][0].item<double>() + phase[t].item<double>())));
    worst = std::max(worst, std::abs(a.y_test[t].item<double>() -
                                     amplitude[t].item<double>() * std::sin(a.x_test[t][0].item<double>() + phase[t].item<double>())));
  }
  EXPECT_LT(worst, 1e-6);  // float32 sin of |x + φ| ≤ 8.2: a few ulps of 0.5
  EXPECT_GE(a.amplitude.min().item<double>(), 0.1);
  EXPECT_LE(a.amplitude.max().item<double>(), 0.5);
  EXPECT_GE(a.phase.min().item<double>(), 0.0);
  EXPECT_LE(a.phase.max().item<double>(), M_PI + 1e-6);
  EXPECT_GE(at::cat({a.x.flatten(), a.x_test.flatten()}).min().item<double>(), -5.0);
  EXPECT_LE(at::cat({a.x.flatten(), a.x_test.flatten()}).max().item<double>(), 5.0);
}

TEST(SineTasks, BadConfigurationsAreInputErrors) {
  SineTaskConfig config;
  config.context_size = 0;
  EXPECT_THROW(sample_sine_tasks(config, 4, 0), InputError);
  config = {};
  config.x_low = NAN;
  EXPECT_THROW(sample_sine_tasks(config, 4, 0), InputError);
  config = {};
  config.amplitude_low = 0.6;
  EXPECT_THROW(sample_sine_tasks(config, 4, 0), InputError);
  EXPECT_THROW(sample_sine_tasks(SineTaskConfig{}, 0, 0), InputError);
  SineTrainConfig train;
  train.feature_dim = 0;
  EXPECT_THROW(train.validate(), InputError);
  train = {};
  train.lr = NAN;
  EXPECT_THROW(train_sine(train, false), InputError);
}

// GD on the learned features, as the comparison uses it, against the explicit one-step formula from
// W0 = 0: ŷ = (η/N) Σ_i y_i ⟨φ(x_i), φ(x_test)⟩, written as plain loops in double.
TEST(SineRegression, GdOnLearnedFeaturesIsOneExplicitStep) {
  SineTrainConfig config;
  const SineRegressionModel model(config, 5);
  const SineTasks tasks = sample_sine_tasks(config.task, 20, 9);
  const LinearTasks features = model.feature_tasks(tasks).to(at::kDouble);
  const double eta = 0.37;
  const at::Tensor gd = gradient_descent(features, eta, 1).predictions;
  const at::Tensor phi = features.x, phi_test = features.x_test, y = features.y;
  const int64_t n = config.task.context_size, f = config.feature_dim;
  ASSERT_EQ(phi.sizes(), (at::IntArrayRef{20, n, f}));
  for (int64_t t = 0; t < 20; ++t) {
    double expected = 0;
    for (int64_t i = 0; i < n; ++i) {
      double dot = 0;
      for (int64_t k = 0; k < f; ++k) dot += phi[t][i][k].item<double>() * phi_test[t][k].item<double>();
      expected += y[t][i][0].item<double>() * dot;
    }
    expected *= eta / static_cast<double>(n);
    EXPECT_NEAR(gd[t].item<double>(), expected, 1e-12 * (1 + std::abs(expected))) << "task " << t;
  }
  // The GD-step readout model predicts that step at η = 1 and trains only its MLP.
  const SineRegressionModel gd_model(config, 5, SineReadout::gd_step);
  const LinearTasks gd_features = gd_model.feature_tasks(tasks);
  EXPECT_TRUE(at::allclose(gd_model.predict(tasks), gradient_descent(gd_features, 1.0, 1).predictions));
  EXPECT_EQ(gd_model.parameters().size(), 6u);
  EXPECT_EQ(model.parameters().size(), 10u);
  // The features are the MLP's: the same x gives the same φ whatever token it sits in.
  EXPECT_TRUE(at::allclose(model.features(tasks.x_test.unsqueeze(1)).squeeze(1), model.feature_tasks(tasks).x_test));
}

// A quick training (600 steps, batch 256, seed 0) of both models. Measured: eval ½MSE 0.00468 against
// the zero predictor's 0.0255; GD on the LSA model's features 0.0070. Thresholds: both trained models
// below half the zero predictor's loss, GD on the learned features below the zero predictor's (the
// features carry the sine's structure).
TEST(SineRegression, TrainingLearnsFeaturesThatGdCanUse) {
  SineTrainConfig config;
  config.steps = 600, config.eval_tasks = 1000, config.line_search_tasks = 1000;
  const SineTrainResult r = train_sine(config, false);
  const SineMetrics& m = r.metrics;
  std::printf("sine: %.1f s; eval ½MSE %.5f, zero predictor %.5f, GD on features %.5f (η %.3f), least squares on features %.5f, "
              "GD-step model %.5f, preds diff %.4f, model cos %.4f; train loss %.5f → %.5f\n",
              r.seconds, m.on_features.eval_loss, m.zero_loss, m.on_features.gd_loss, m.gd_eta, m.least_squares_loss, m.learned_gd_loss,
              m.on_features.preds_diff, m.on_features.model_cos, r.train_curve.front().second, r.train_curve.back().second);
  EXPECT_LT(m.on_features.eval_loss, 0.5 * m.zero_loss);
  EXPECT_LT(m.on_features.gd_loss, m.zero_loss);
  EXPECT_LT(m.learned_gd_loss, 0.5 * m.zero_loss);
  EXPECT_LT(r.train_curve.back().second, r.train_curve.front().second);
  // The same config and seed give the same run.
  EXPECT_EQ(train_sine(config, false).metrics.on_features.eval_loss, m.on_features.eval_loss);
}

// The longer reproduction (about 20 s; run with --gtest_also_run_disabled_tests), the same as
// `optim-hunter icl sine --seed 1 --out DIR`: 3000 steps. Measured: the trained MLP + LSA 0.00236, the
// same MLP trained through one GD step 0.00246 (the paper's match), one GD step on the trained model's
// own features 0.00263, model cos 0.944; zero predictor 0.0251. (Seed 2: 0.00236 / 0.00247 / 0.00288,
// cos 0.978; seed 0 is slower: 0.00329 / 0.00242 / 0.00561 at 3000 steps, 0.00248 / 0.00250 / 0.00359
// at 10 000.) Thresholds: the two trained models within 10 % of each other, GD on the learned features
// within 0.8-1.25× the model, cos > 0.9.
TEST(SineRegression, DISABLED_TrainedModelMatchesGdWithLearnedFeatures) {
  SineTrainConfig config;
  config.seed = 1;
  const SineMetrics m = train_sine(config, false).metrics;
  std::printf("sine seed 1: model %.5f, GD-step model %.5f, GD on its features %.5f, model cos %.4f\n", m.on_features.eval_loss,
              m.learned_gd_loss, m.on_features.gd_loss, m.on_features.model_cos);
  EXPECT_NEAR(m.on_features.eval_loss / m.learned_gd_loss, 1.0, 0.1);
  EXPECT_GT(m.on_features.gd_loss / m.on_features.eval_loss, 0.8);
  EXPECT_LT(m.on_features.gd_loss / m.on_features.eval_loss, 1.25);
  EXPECT_GT(m.on_features.model_cos, 0.9);
}

TEST(FewShot, PromptLayoutAndQueryPositions) {
  const FewShotTasks tasks = sample_few_shot_tasks(4, 3, 5, 1);
  EXPECT_TRUE(at::allclose(tasks.y, at::matmul(tasks.x, tasks.w.transpose(1, 2))));
  EXPECT_TRUE(at::allclose(at::matmul(tasks.w, tasks.w.transpose(1, 2)), at::eye(4).expand({5, 4, 4}), 1e-5, 1e-5));  // orthogonal
  const at::Tensor eos = at::full({4}, 7.0), prefix = at::full({2, 4}, -3.0);
  const FewShotSequence plain = few_shot_sequence(tasks, {});
  EXPECT_EQ(plain.states.sizes(), (at::IntArrayRef{5, 6, 4}));
  EXPECT_EQ(plain.query_positions, (std::vector<int64_t>{0, 2, 4}));
  const FewShotSequence full = few_shot_sequence(tasks, {eos, prefix});
  EXPECT_EQ(full.states.sizes(), (at::IntArrayRef{5, 11, 4}));
  EXPECT_EQ(full.query_positions, (std::vector<int64_t>{2, 5, 8}));
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(at::equal(full.states.select(1, 2 + 3 * i), tasks.x.select(1, i)));
    EXPECT_TRUE(at::equal(full.states.select(1, 3 + 3 * i), tasks.y.select(1, i)));
    EXPECT_TRUE(at::equal(full.states.select(1, 4 + 3 * i), eos.expand({5, 4})));
  }
  EXPECT_TRUE(at::equal(full.states.narrow(1, 0, 2), prefix.expand({5, 2, 4})));
  EXPECT_THROW(few_shot_sequence(tasks, {at::zeros({3}), {}}), InputError);
  EXPECT_THROW(sample_few_shot_tasks(4, 0, 5, 1), InputError);
  EXPECT_THROW(least_squares_few_shot_losses(tasks, {}, 0.0, true), InputError);
  EXPECT_THROW(least_squares_few_shot_losses(tasks, {}, NAN, false), InputError);
  // Prompt tuning leaves the model alone: a model whose weights would be trained is refused.
  const CausalStack model(make_stack_config("lsa", 1, 1, 12, 4, 0), 0);
  PromptTuningConfig tuning;
  tuning.eos = true, tuning.steps = 1;
  model.parameters().front().requires_grad_(true);
  EXPECT_THROW(tune_prompt(model, tuning), InputError);
  tuning.lr = NAN;
  EXPECT_THROW(tuning.validate(), InputError);
}

/// ½‖ŷ − y‖² of ridge regression on explicit pairs (inputs and targets as columns), computed in double.
double explicit_ridge_loss(const std::vector<at::Tensor>& inputs, const std::vector<at::Tensor>& targets, const at::Tensor& query,
                           const at::Tensor& target, double ridge) {
  const int64_t n = query.size(0);
  at::Tensor gram = ridge * at::eye(n, at::kDouble), cross = at::zeros({n, n}, at::kDouble);
  for (size_t j = 0; j < inputs.size(); ++j) {
    gram += at::outer(inputs[j].to(at::kDouble), inputs[j].to(at::kDouble));
    cross += at::outer(targets[j].to(at::kDouble), inputs[j].to(at::kDouble));
  }
  const at::Tensor phi = at::matmul(cross, at::inverse(gram));
  return 0.5 * (at::matmul(phi, query.to(at::kDouble)) - target.to(at::kDouble)).pow(2).sum().item<double>();
}

// The least-squares control (seeded, 2000 tasks, n = 10, K = 12, ridge 0.1 as the dynamics runs):
// fitted on every consecutive pair of the prompt, the spurious pairs (y_i → x_{i+1}) make the loss rise
// with the first examples; fitted on the true pairs only it falls at every example. Both start from the
// zero prediction (½E‖y‖² = n/2), and both are checked against explicit per-task fits.
TEST(FewShot, LeastSquaresControlShowsEarlyAscentOnlyWithSpuriousPairs) {
  const FewShotTasks tasks = sample_few_shot_tasks(10, 12, 2000, 11);
  const double ridge = 0.1;
  const at::Tensor spurious = least_squares_few_shot_losses(tasks, {}, ridge, true);
  const at::Tensor clean = least_squares_few_shot_losses(tasks, {}, ridge, false);
  std::printf("few-shot least squares, examples 0..11 before the query\n  all pairs: ");
  for (int64_t i = 0; i < 12; ++i) std::printf(" %.3f", spurious[i].item<double>());
  std::printf("\n  true pairs:");
  for (int64_t i = 0; i < 12; ++i) std::printf(" %.3f", clean[i].item<double>());
  std::printf("\n");
  EXPECT_DOUBLE_EQ(spurious[0].item<double>(), clean[0].item<double>());
  EXPECT_NEAR(clean[0].item<double>(), 5.0, 0.25);  // ½E‖y‖² = 5; the 2000-task mean has sd ≈ 0.05
  for (int64_t i = 1; i < 12; ++i) EXPECT_LT(clean[i].item<double>(), clean[i - 1].item<double>()) << "example " << i;
  EXPECT_GT(spurious.max().item<double>(), 1.2 * spurious[0].item<double>());  // early ascent
  EXPECT_GT(spurious[1].item<double>(), spurious[0].item<double>());

  // Explicit fits for task 0: the query x_3 (index 2) sees (x1,y1),(y1,x2),(x2,y2),(y2,x3) or only the true pairs.
  const FewShotTasks one{tasks.x.narrow(0, 0, 1), tasks.y.narrow(0, 0, 1), tasks.w.narrow(0, 0, 1)};
  const at::Tensor x = tasks.x[0], y = tasks.y[0];
  const double all_pairs = explicit_ridge_loss({x[0], y[0], x[1], y[1]}, {y[0], x[1], y[1], x[2]}, x[2], y[2], ridge);
  const double true_pairs = explicit_ridge_loss({x[0], x[1]}, {y[0], y[1]}, x[2], y[2], ridge);
  EXPECT_NEAR(least_squares_few_shot_losses(one, {}, ridge, true)[2].item<double>(), all_pairs, 1e-9 * (1 + all_pairs));
  EXPECT_NEAR(least_squares_few_shot_losses(one, {}, ridge, false)[2].item<double>(), true_pairs, 1e-9 * (1 + true_pairs));
  // With an EOS the pairs are (x1,y1),(y1,e),(e,x2),(x2,y2),(y2,e),(e,x3).
  const at::Tensor eos = at::linspace(-1, 1, 10);
  const double with_eos = explicit_ridge_loss({x[0], y[0], eos, x[1], y[1], eos}, {y[0], eos, x[1], y[1], eos, x[2]}, x[2], y[2], ridge);
  EXPECT_NEAR(least_squares_few_shot_losses(one, {eos, {}}, ridge, true)[2].item<double>(), with_eos, 1e-9 * (1 + with_eos));
}

double mean_of(const at::Tensor& t) { return t.mean().item<double>(); }

// A 1-layer mesa stack trained on fully observed dynamics (the quick recipe of test_icl_dynamics:
// 200 steps, batch 64, lr 3e-3, seed 1), prompted with few-shot sequences (K = 12, 500 held-out tasks).
// Measured (mean over the 12 examples): plain prompts 5.48, rising from 4.89 with no example to 6.77
// after five (early ascent, like the least-squares control); random EOS + prefix 6.10; tuned (model
// frozen, 150 steps) 4.75. Thresholds: the plain curve rises by 10 % above its start; tuning lowers the
// mean below both the untuned prompt's and the plain prompt's.
TEST(FewShot, PromptTuningLowersTheFewShotLoss) {
  const DynamicsRun run = trained_mesa_run("icl_fewshot_mesa", 200, 64, 200, 100);
  const FewShotTasks eval = sample_few_shot_tasks(10, 12, 500, 77);
  PromptTuningConfig tuning;
  tuning.examples = 12, tuning.steps = 150, tuning.seed = 3;
  auto report = [&](const char* name, const FewShotPrompt& prompt) {
    const at::Tensor losses = model_few_shot_losses(run.model, eval, prompt).detach();
    std::printf("  %-22s mean %.3f:", name, mean_of(losses));
    for (int64_t i = 0; i < 12; ++i) std::printf(" %.3f", losses[i].item<double>());
    std::printf("\n");
    return mean_of(losses);
  };
  std::printf("few-shot losses of the trained mesa stack, examples 0..11 before the query\n");
  const at::Tensor plain_losses = model_few_shot_losses(run.model, eval, {}).detach();
  const double plain = report("plain", {});
  EXPECT_GT(plain_losses.max().item<double>(), 1.1 * plain_losses[0].item<double>());  // early ascent
  tuning.eos = true, tuning.prefix_length = 2;
  const double untuned = report("random EOS + prefix", initial_prompt(tuning, 10));
  const double tuned = report("tuned EOS + prefix", tune_prompt(run.model, tuning));
  EXPECT_LT(tuned, untuned);
  EXPECT_LT(tuned, plain);
}

}  // namespace
}  // namespace oh::icl

namespace oh::icl {
namespace {

// The longer reproduction (about 3 minutes on one core), the same as `optim-hunter icl train --task
// dynamics --model mesa --steps 1000 --batch 256 --lr 3e-3 --eval-every 250 --eval-tasks 500 --seed 1
// --out DIR` then `optim-hunter icl few-shot --run DIR`. Measured (1000 tasks): plain prompts 5.06 with
// no example, 9.36 after five, mean 6.64; least squares on every consecutive pair peaks at 19.4, on the
// true pairs only it falls to 0.15; a tuned EOS (300 steps, model frozen) mean 5.08, peak 7.48; a tuned
// 2-vector prefix alone does not help (mean 7.08). Thresholds: plain peak > 1.5× its start, tuned EOS
// mean < 0.85× the plain mean.
TEST(FewShot, DISABLED_TunedEosMitigatesEarlyAscentOfATrainedMesaStack) {
  const DynamicsRun run = trained_mesa_run("icl_fewshot_mesa_long", 1000, 256, 250, 500);
  const FewShotTasks eval = sample_few_shot_tasks(10, 12, 1000, 7);
  PromptTuningConfig tuning;
  tuning.examples = 12, tuning.eos = true;
  const at::Tensor plain = model_few_shot_losses(run.model, eval, {}).detach();
  const at::Tensor tuned = model_few_shot_losses(run.model, eval, tune_prompt(run.model, tuning)).detach();
  std::printf("mesa few-shot: plain start %.3f peak %.3f mean %.3f; tuned EOS peak %.3f mean %.3f\n", plain[0].item<double>(),
              plain.max().item<double>(), plain.mean().item<double>(), tuned.max().item<double>(), tuned.mean().item<double>());
  EXPECT_GT(plain.max().item<double>(), 1.5 * plain[0].item<double>());
  EXPECT_LT(tuned.mean().item<double>(), 0.85 * plain.mean().item<double>());
}

}  // namespace
}  // namespace oh::icl
