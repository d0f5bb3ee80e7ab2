// DESIGN §7's reproductions in quick form, and the training run's guarantees (resume, divergence).
// The full-length runs are DISABLED_ tests (run with --gtest_also_run_disabled_tests) and the
// documented `optim-hunter icl train` commands.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "icl/gd_baselines.h"
#include "icl/gd_construction.h"
#include "icl/linear_tasks.h"
#include "icl/training.h"

namespace oh::icl {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("oh_icl_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

TrainOptions quiet(const fs::path& dir) {
  TrainOptions o;
  o.out_dir = dir.string();
  o.progress = false;
  return o;
}

TEST(GdLineSearch, OneStepFromZeroReproducesThePaperLoss) {
  const LinearTaskConfig task;  // d = N = 10, x ~ U(-0.5, 0.5)^d, w ~ N(0, I)
  const LinearTasks search = sample_linear_tasks(task, 20000, 2), eval = sample_linear_tasks(task, 20000, 1);
  const LineSearchResult found = line_search_gd_eta(search, 1);
  const double loss = half_mse(gradient_descent(eval.to(at::kDouble), found.eta, 1).predictions, eval.y_test);
  // DESIGN §7: population loss 0.206 at η* ≈ 6.07; a 20 000-task estimate has sd 0.0024, so
  // 3 sd = 0.0072 (a failure rate of 0.3% over seeds). η*'s spread over 20 000-task line searches
  // was measured at sd 0.050 across 20 seeds (DISABLED_SpreadOverSeeds: mean 6.058): 3 sd = 0.15.
  EXPECT_NEAR(loss, 0.206, 0.0072);
  EXPECT_NEAR(found.eta, 6.07, 0.15);
  // The LSA construction with that η predicts what explicit GD does, task for task.
  GdConstruction c;
  c.eta = found.eta;
  const at::Tensor lsa = make_gd_model(c).forward(make_tokens(eval));
  EXPECT_NEAR(half_mse(lsa, eval.y_test), loss, 1e-5);
}

TEST(GdLineSearch, DISABLED_SpreadOverSeeds) {
  double sum = 0, sum_sq = 0, loss_sum = 0, loss_sq = 0;
  const int seeds = 20;
  for (int s = 0; s < seeds; ++s) {
    const LinearTasks search = sample_linear_tasks({}, 20000, 100 + 2 * s), eval = sample_linear_tasks({}, 20000, 101 + 2 * s);
    const double eta = line_search_gd_eta(search, 1).eta;
    const double loss = half_mse(gradient_descent(eval.to(at::kDouble), eta, 1).predictions, eval.y_test);
    sum += eta, sum_sq += eta * eta, loss_sum += loss, loss_sq += loss * loss;
  }
  const double mean = sum / seeds, loss_mean = loss_sum / seeds;
  std::printf("eta mean %.4f sd %.4f; loss mean %.5f sd %.5f (%d seeds of 20000 tasks)\n", mean,
              std::sqrt(sum_sq / seeds - mean * mean), loss_mean, std::sqrt(loss_sq / seeds - loss_mean * loss_mean), seeds);
}


/// Trains a 1-layer LSA with DESIGN §7's recipe (Adam lr 1e-3, β2 0.98, init std 0.0135) and the
/// given heads, seed, batch and steps; returns the final comparison with GD on the same eval tasks.
AlignmentMetrics train_one_layer(int heads, uint64_t seed, int64_t batch, int64_t steps, int64_t eval_tasks, const std::string& name) {
  TrainConfig c;
  c.heads = heads, c.seed = seed, c.batch = batch, c.steps = steps, c.eval_every = steps;
  c.eval_tasks = eval_tasks, c.line_search_tasks = eval_tasks;
  const fs::path dir = fresh_dir(name);
  const auto start = std::chrono::steady_clock::now();
  const TrainResult result = train_icl(c, quiet(dir));
  std::printf("%s: %lld steps in %.1f s: loss ratio %.5f, model cos %.5f, preds diff %.4f, model diff %.4f\n", name.c_str(),
              static_cast<long long>(steps), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              result.final_metrics.loss_ratio, result.final_metrics.model_cos, result.final_metrics.preds_diff, result.final_metrics.model_diff);
  fs::remove_all(dir);
  return result.final_metrics;
}

TEST(Training, OneLayerLsaLearnsGradientDescentQuick) {
  // Quick version of the reproduction below: batch 512 and 600 steps instead of 2048 and 2000, two
  // heads (one head can sit on a plateau for thousands of steps on some seeds: seed 0 stays at
  // ratio 1.95 / cos 0.26 for all 2000 steps). Measured here: ratio 1.0127, cos 0.9975 at step 600
  // (1.027 / 0.990 at step 300). The smaller batch leaves gradient noise, so the thresholds are
  // 1.03 and 0.99 rather than the full run's 1.01 and 0.999; a model that has not found GD sits at
  // ratio ≈ 1.9, cos ≈ 0.3.
  const AlignmentMetrics m = train_one_layer(2, 0, 512, 600, 2000, "quick");
  EXPECT_LE(m.loss_ratio, 1.03);
  EXPECT_GE(m.model_cos, 0.99);
}

TEST(Training, DISABLED_OneLayerLsaLearnsGradientDescentFullRecipe) {
  // DESIGN §7: batch 2048, 2000 steps, 10 000 eval tasks; paired loss ratio ≤ 1.01, model cos > 0.999.
  // Measured (one run each): 1 head seed 1: ratio 1.00095, cos 0.99923; seed 2: 1.00138, 0.99921
  // (both first meet the bar at the step-500 evaluation); seed 0 plateaus (ratio 1.95, cos 0.26).
  // 2 heads seed 0 reaches ratio 1.0020 but its cos wanders in 0.9986-0.9992 at constant lr,
  // so the reproduction is checked on the 1-head seeds.
  for (const uint64_t seed : {1, 2}) {
    const AlignmentMetrics m = train_one_layer(1, seed, 2048, 2000, 10000, "full_seed" + std::to_string(seed));
    EXPECT_LE(m.loss_ratio, 1.01) << "seed " << seed;
    EXPECT_GT(m.model_cos, 0.999) << "seed " << seed;
  }
}

/// Parameters of the checkpoint in `dir`, bit for bit comparable.
std::vector<at::Tensor> checkpoint_parameters(const fs::path& dir) { return load_trained_run(dir.string()).model.parameters(); }

TEST(Training, AResumedRunContinuesExactlyAsTheUninterruptedOne) {
  TrainConfig c;
  c.steps = 40, c.batch = 128, c.eval_every = 10, c.eval_tasks = 300, c.line_search_tasks = 300, c.seed = 5;
  c.warmup_steps = 5, c.cosine = true, c.clip_norm = 0.5, c.heads = 2, c.layers = 2;
  c.optimizer = "adamw", c.weight_decay = 0.01;  // its state (moments, step counts) must survive the checkpoint too
  const fs::path straight = fresh_dir("straight"), crashed = fresh_dir("crashed");
  const TrainResult whole = train_icl(c, quiet(straight));
  ASSERT_TRUE(whole.finished);

  TrainOptions first = quiet(crashed);
  first.stop_after_steps = 25;  // "crashes" after 25 updates; the last checkpoint is step 20's
  EXPECT_FALSE(train_icl(c, first).finished);
  EXPECT_EQ(load_trained_run(crashed.string()).step, 20);
  const TrainResult resumed = train_icl(c, quiet(crashed));
  EXPECT_EQ(resumed.resumed_from, 20);
  ASSERT_TRUE(resumed.finished);
  const auto a = checkpoint_parameters(straight), b = checkpoint_parameters(crashed);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(at::equal(a[i], b[i])) << "parameter " << i;
  EXPECT_EQ(read_text(straight / "metrics.jsonl"), read_text(crashed / "metrics.jsonl"));
  EXPECT_EQ(read_text(straight / "metrics.json"), read_text(crashed / "metrics.json"));
  const nlohmann::json sessions = nlohmann::json::parse(read_text(crashed / "run.json"))["sessions"];
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0]["finished"], false);
  EXPECT_EQ(sessions[0]["last_step"], 25);
  EXPECT_EQ(sessions[1]["resumed_from"], 20);
  EXPECT_EQ(sessions[1]["last_step"], 40);
  // Training changed the model between the evaluations (the comparison above is not vacuous).
  std::istringstream lines(read_text(straight / "metrics.jsonl"));
  std::string first_line, line, last_line;
  std::getline(lines, first_line);
  while (std::getline(lines, line)) last_line = line;
  EXPECT_LT(nlohmann::json::parse(last_line)["eval_loss"].get<double>(), nlohmann::json::parse(first_line)["eval_loss"].get<double>());
  fs::remove_all(straight), fs::remove_all(crashed);
}

TEST(Training, SharedWeightStacksTrainAndReload) {
  TrainConfig c;
  c.layers = 3, c.shared_weights = true, c.steps = 10, c.batch = 64, c.eval_every = 5, c.eval_tasks = 100, c.line_search_tasks = 100;
  const fs::path dir = fresh_dir("shared");
  ASSERT_TRUE(train_icl(c, quiet(dir)).finished);
  const TrainedRun run = load_trained_run(dir.string());
  EXPECT_EQ(run.step, 10);
  EXPECT_EQ(run.model.parameters().size(), 4u);  // one weight set for the three layers
  EXPECT_EQ(run.model.hook_points().layer_count(), 3);
  fs::remove_all(dir);
}

TEST(Training, DivergenceExitsWithTheLastGoodCheckpointMarked) {
  TrainConfig c;
  c.steps = 50, c.batch = 64, c.eval_every = 5, c.eval_tasks = 100, c.line_search_tasks = 100, c.lr = 3.0;
  const fs::path dir = fresh_dir("diverge");
  EXPECT_THROW(train_icl(c, quiet(dir)), ComputationError);
  const nlohmann::json info = nlohmann::json::parse(read_text(dir / "checkpoint.json"));
  EXPECT_EQ(info["status"], "last_good");
  const int64_t good = info["step"].get<int64_t>(), bad = info["diverged_at_step"].get<int64_t>();
  EXPECT_LT(good, bad);
  EXPECT_GE(good, bad - c.eval_every);
  EXPECT_EQ(load_trained_run(dir.string()).step, good);  // the marked checkpoint is loadable and finite
  for (const at::Tensor& p : checkpoint_parameters(dir)) EXPECT_TRUE(at::isfinite(p).all().item<bool>());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oh::icl
