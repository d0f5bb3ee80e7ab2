// The lab's building blocks against independent formulations: task sampling, the LSA layer's hook
// points, the GD/GD++ constructions against explicit descent, closed-form baselines, the η line search.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/error.h"
#include "hooks/run.h"
#include "icl/gd_baselines.h"
#include "icl/gd_construction.h"
#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"
#include "icl/train_config.h"

namespace oh::icl {
namespace {

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>(); }
/// Largest difference relative to the largest entry of `expected` (float32 forward passes against double).
double max_rel_diff(const at::Tensor& actual, const at::Tensor& expected) {
  return max_abs_diff(actual, expected) / std::max(1.0, expected.abs().max().item<double>());
}

TEST(LinearTasks, AreSeededShapedAndFollowTheirTeachers) {
  LinearTaskConfig config;
  const LinearTasks a = sample_linear_tasks(config, 64, 7), b = sample_linear_tasks(config, 64, 7), c = sample_linear_tasks(config, 64, 8);
  EXPECT_TRUE(at::equal(a.x, b.x) && at::equal(a.w, b.w) && at::equal(a.y_test, b.y_test));
  EXPECT_FALSE(at::equal(a.x, c.x));
  EXPECT_EQ(a.x.sizes(), (at::IntArrayRef{64, 10, 10}));
  EXPECT_EQ(a.y.sizes(), (at::IntArrayRef{64, 10, 1}));
  EXPECT_EQ(a.x_test.sizes(), (at::IntArrayRef{64, 10}));
  EXPECT_EQ(a.y_test.sizes(), (at::IntArrayRef{64}));
  EXPECT_LT(max_abs_diff(a.y, at::matmul(a.x, a.w.transpose(1, 2))), 1e-6);
  EXPECT_LT(max_abs_diff(a.y_test, at::bmm(a.w, a.x_test.unsqueeze(2)).view({64})), 1e-6);
  EXPECT_GE(a.x.min().item<float>(), -0.5f);
  EXPECT_LT(a.x.max().item<float>(), 0.5f);

  // Label noise and ranges change only what they should; the moments match their distributions.
  config.noise_std = 0.1;
  config.x_low = 1, config.x_high = 3, config.teacher_scale = 2;
  const LinearTasks noisy = sample_linear_tasks(config, 4000, 3);
  const double noise_sd = (noisy.y - at::matmul(noisy.x, noisy.w.transpose(1, 2))).std().item<double>();
  EXPECT_NEAR(noise_sd, 0.1, 0.003);  // 40 000 draws: sd of the estimate ≈ 0.1/√80000
  EXPECT_NEAR(noisy.w.std().item<double>(), 2.0, 0.05);
  EXPECT_NEAR(noisy.x.mean().item<double>(), 2.0, 0.01);
}

TEST(LinearTasks, TokensHoldPairsThenTheQueryWithMinusW0X) {
  const LinearTasks t = sample_linear_tasks({}, 5, 1);
  const at::Tensor w0 = at::arange(10, at::kFloat).view({1, 10}) / 10;
  const at::Tensor tokens = make_tokens(t, w0);
  EXPECT_EQ(tokens.sizes(), (at::IntArrayRef{5, 11, 11}));
  EXPECT_TRUE(at::equal(tokens.narrow(1, 0, 10).narrow(2, 0, 10), t.x));
  EXPECT_TRUE(at::equal(tokens.narrow(1, 0, 10).narrow(2, 10, 1), t.y));
  EXPECT_TRUE(at::equal(tokens.select(1, 10).narrow(1, 0, 10), t.x_test));
  EXPECT_LT(max_abs_diff(tokens.select(1, 10).select(1, 10), -(t.x_test * w0).sum(1)), 1e-6);
  EXPECT_TRUE(at::equal(make_tokens(t).select(1, 10).select(1, 10), at::zeros({5})));
}

TEST(LinearTasks, RejectImpossibleConfigurations) {
  auto bad = [](auto change) {
    LinearTaskConfig c;
    change(c);
    EXPECT_THROW(c.validate(), InputError);
  };
  bad([](LinearTaskConfig& c) { c.input_dim = 0; });
  bad([](LinearTaskConfig& c) { c.context_size = -1; });
  bad([](LinearTaskConfig& c) { c.x_low = 1, c.x_high = 1; });
  bad([](LinearTaskConfig& c) { c.teacher_scale = std::nan(""); });
  bad([](LinearTaskConfig& c) { c.noise_std = -0.1; });
  EXPECT_THROW(sample_linear_tasks({}, 0, 1), InputError);
}

/// One LSA layer written out per task, head and token with explicit loops, in double.
at::Tensor reference_lsa_layer(const at::Tensor& e, const LsaLayerWeights& w) {
  const int64_t p = e.size(0), n = p - 1, heads = w.query.size(0);
  at::Tensor out = e.clone();
  for (int64_t j = 0; j < p; ++j)
    for (int64_t h = 0; h < heads; ++h) {
      at::Tensor z = at::zeros({w.query.size(1)}, e.options());
      for (int64_t i = 0; i < n; ++i)
        z += at::dot(at::mv(w.key[h], e[i]), at::mv(w.query[h], e[j])) * at::mv(w.value[h], e[i]);
      out[j] += at::mv(w.projection.narrow(1, h * w.query.size(1), w.query.size(1)), z);
    }
  return out;
}

TEST(LsaModel, MultiHeadLayersMatchAnExplicitLoopAndExposeTheirHookPoints) {
  LsaConfig config;
  config.token_dim = 4, config.layers = 2, config.heads = 3, config.key_dim = 2;
  const LsaModel model = LsaModel::random(config, 0.5, 11);
  const at::Tensor tokens = at::randn({2, 6, 4}, at::make_generator<at::CPUGeneratorImpl>(5));
  const hooks::CachedRun run = hooks::run_with_cache(model, tokens);
  for (int64_t b = 0; b < 2; ++b) {
    at::Tensor e = tokens[b].to(at::kDouble);
    for (int l = 0; l < 2; ++l) {
      const LsaLayerWeights& w = model.weights()[static_cast<size_t>(l)];
      e = reference_lsa_layer(e, {w.query.to(at::kDouble), w.key.to(at::kDouble), w.value.to(at::kDouble), w.projection.to(at::kDouble)});
      // float32 against double; each entry sums ~40 products: 2e-6 relative is ~30 float ulps.
      EXPECT_LT(max_rel_diff(run.cache["blocks." + std::to_string(l) + ".hook_resid_post"][b], e), 2e-6);
    }
    EXPECT_LT(max_rel_diff(run.output[b], -e[5][3]), 2e-6);
  }
  EXPECT_EQ(run.cache.size(), 1u + 2 * 9);
  EXPECT_EQ(run.cache["blocks.1.attn.hook_q"].sizes(), (at::IntArrayRef{2, 6, 3, 2}));
  EXPECT_EQ(run.cache["blocks.1.attn.hook_k"].sizes(), (at::IntArrayRef{2, 5, 3, 2}));  // context tokens only
  EXPECT_EQ(run.cache["blocks.1.attn.hook_attn_scores"].sizes(), (at::IntArrayRef{2, 3, 6, 5}));
  EXPECT_TRUE(at::equal(run.cache["blocks.1.attn.hook_pattern"], run.cache["blocks.1.attn.hook_attn_scores"]));
  EXPECT_EQ(run.cache["blocks.1.attn.hook_z"].sizes(), (at::IntArrayRef{2, 6, 3, 2}));
  EXPECT_TRUE(at::allclose(run.cache["blocks.1.hook_resid_post"],
                           run.cache["blocks.1.hook_resid_pre"] + run.cache["blocks.1.hook_attn_out"]));
  // raw scores: q·k of the cached q and k
  const at::Tensor q = run.cache["blocks.0.attn.hook_q"], k = run.cache["blocks.0.attn.hook_k"];
  EXPECT_NEAR(run.cache["blocks.0.attn.hook_attn_scores"][1][2][4][3].item<double>(), at::dot(q[1][4][2], k[1][3][2]).item<double>(), 1e-6);

  // Zeroing block 1's attention output leaves block 0's stream; stopping before block 1 returns it.
  auto zero = [](const at::Tensor& v, const hooks::HookContext&) -> std::optional<at::Tensor> { return at::zeros_like(v); };
  const at::Tensor ablated = hooks::run_with_hooks(model, tokens, {{"blocks.1.hook_attn_out", zero}});
  EXPECT_TRUE(at::allclose(ablated, -run.cache["blocks.0.hook_resid_post"].select(1, 5).select(1, 3)));
  EXPECT_TRUE(at::equal(hooks::run_with_hooks(model, tokens, {}, 1), run.cache["blocks.0.hook_resid_post"]));
}

TEST(LsaModel, SharedWeightsAreOneParameterSetAppliedAtEveryLayer) {
  LsaConfig config;
  config.token_dim = 3, config.layers = 3, config.shared_weights = true;
  const LsaModel shared = LsaModel::random(config, 0.3, 2);
  EXPECT_EQ(shared.parameters().size(), 4u);
  config.shared_weights = false;
  const LsaLayerWeights& w = shared.weights()[0];
  const LsaModel copies(config, {w, w, w});
  const at::Tensor tokens = at::randn({3, 4, 3}, at::make_generator<at::CPUGeneratorImpl>(1));
  EXPECT_TRUE(at::equal(shared.forward(tokens), copies.forward(tokens)));
  EXPECT_EQ(copies.parameters().size(), 12u);
  EXPECT_THROW(LsaModel(config, {w}), InputError);
  config.heads = 0;
  EXPECT_THROW(LsaModel::random(config, 0.1, 1), InputError);
}

TEST(GdConstruction, KLayersAreKExplicitGradientDescentStepsFromW0) {
  LinearTaskConfig task;
  const LinearTasks tasks = sample_linear_tasks(task, 512, 21);
  const at::Tensor w0 = at::randn({1, 10}, at::make_generator<at::CPUGeneratorImpl>(3));
  for (const bool from_zero : {true, false})
    for (int k = 1; k <= 4; ++k) {
      GdConstruction c;
      c.layers = k, c.eta = 2.5;
      if (!from_zero) c.w0 = w0;
      const at::Tensor model = make_gd_model(c).forward(make_tokens(tasks, c.w0));
      // Explicit descent, written independently: W ← W − η/N Σ_i (W x_i − y_i) x_iᵀ, in double.
      const LinearTasks exact = tasks.to(at::kDouble);
      at::Tensor w = from_zero ? at::zeros({512, 1, 10}, at::kDouble) : w0.to(at::kDouble).expand({512, 1, 10});
      for (int s = 0; s < k; ++s) {
        at::Tensor gradient = at::zeros_like(w);
        for (int64_t i = 0; i < 10; ++i) {
          const at::Tensor xi = exact.x.select(1, i).unsqueeze(1);  // [b, 1, d]
          gradient += ((w * xi).sum(2, true) - exact.y.select(1, i).unsqueeze(1)) * xi / 10.0;
        }
        w = w - 2.5 * gradient;
      }
      const at::Tensor expected = (w.squeeze(1) * exact.x_test).sum(1);
      // float32 forward, |ŷ| ≲ 3 after K ≤ 4 steps: 1e-5 absolute is ~40 float ulps.
      EXPECT_LT(max_abs_diff(model, expected), 1e-5) << "K=" << k << (from_zero ? " W0=0" : " W0≠0");
      EXPECT_LT(max_abs_diff(model, gradient_descent(tasks, 2.5, k, c.w0).predictions), 1e-5);
    }
}

TEST(GdConstruction, ItsHookPointsShowTheMechanism) {
  // Scores are x_j·x_i (W_K = W_Q select x), values carry the residual W0 x_i − y_i, and the query's
  // attention output is its label's GD update.
  const LinearTasks tasks = sample_linear_tasks({}, 8, 6);
  const at::Tensor w0 = at::full({1, 10}, 0.1);
  GdConstruction c;
  c.eta = 3.0, c.w0 = w0;
  const hooks::CachedRun run = hooks::run_with_cache(make_gd_model(c), make_tokens(tasks, w0));
  const at::Tensor all_x = at::cat({tasks.x, tasks.x_test.unsqueeze(1)}, 1);
  EXPECT_LT(max_abs_diff(run.cache["blocks.0.attn.hook_attn_scores"].select(1, 0), at::bmm(all_x, tasks.x.transpose(1, 2))), 1e-6);
  const at::Tensor v = run.cache["blocks.0.attn.hook_v"].select(2, 0);  // [b, N, D]
  EXPECT_LT(max_abs_diff(v.select(2, 10), (at::matmul(tasks.x, w0.t()) - tasks.y).squeeze(2)), 1e-6);
  EXPECT_TRUE(at::equal(v.narrow(2, 0, 10), at::zeros({8, 10, 10})));
  const at::Tensor update = run.cache["blocks.0.hook_attn_out"].select(1, 10).select(1, 10);
  const at::Tensor expected = -(gradient_descent(tasks, 3.0, 1, w0).predictions - (tasks.x_test * w0).sum(1));
  EXPECT_LT(max_abs_diff(update, expected), 1e-6);
}

TEST(GdConstruction, GdPlusPlusPreconditionsEveryTokenThenStepsOnTheCurrentData) {
  const LinearTasks tasks = sample_linear_tasks({}, 256, 4).to(at::kDouble);
  const at::Tensor w0 = at::randn({1, 10}, at::make_generator<at::CPUGeneratorImpl>(9)).to(at::kDouble);
  const double eta = 1.7, gamma = 0.3;
  for (int k = 1; k <= 3; ++k) {
    GdConstruction c;
    c.layers = k, c.eta = eta, c.gamma = gamma, c.w0 = w0.to(at::kFloat);
    const at::Tensor model = make_gd_model(c).forward(make_tokens(tasks.to(at::kFloat), c.w0));
    // Each layer: the labels take a GD step's change from W0 on the current inputs (ŷ reads the
    // query's label), then every input x ← (I − γ Σ_i x_i x_iᵀ) x.
    at::Tensor x = tasks.x, y = tasks.y, xq = tasks.x_test.unsqueeze(1), yq = -at::matmul(xq, w0.t());
    for (int s = 0; s < k; ++s) {
      const at::Tensor g = at::bmm((at::matmul(x, w0.t()) - y).transpose(1, 2), x) / 10.0;  // [b, 1, d]
      const at::Tensor sigma = at::bmm(x.transpose(1, 2), x);                             // Σ x_i x_iᵀ
      y = y + eta * at::matmul(x, g.transpose(1, 2));
      yq = yq + eta * at::matmul(xq, g.transpose(1, 2));
      x = x - gamma * at::matmul(x, sigma);
      xq = xq - gamma * at::matmul(xq, sigma);
    }
    EXPECT_LT(max_abs_diff(model, -yq.view({256})), 1e-5) << "K=" << k;
    if (k == 1) {  // one GD++ layer predicts exactly one GD step from W0 on the untouched data
      EXPECT_LT(max_abs_diff(model, gradient_descent(tasks, eta, 1, w0).predictions), 1e-5);
    }
  }
}

TEST(GdBaselines, RidgeAndLeastSquaresSolveTheNormalEquations) {
  LinearTaskConfig task;
  LinearTasks tasks = sample_linear_tasks(task, 128, 2).to(at::kDouble);
  // Noiseless, N = d, labels recomputed in double: least squares recovers the teacher.
  tasks.y = at::matmul(tasks.x, tasks.w.transpose(1, 2));
  tasks.y_test = at::bmm(tasks.w, tasks.x_test.unsqueeze(2)).view({128});
  EXPECT_LT(max_abs_diff(ridge_predictions(tasks, 0), tasks.y_test), 1e-8);
  task.context_size = 4;  // N < d: least squares is the minimum-norm interpolant
  const LinearTasks few = sample_linear_tasks(task, 64, 3).to(at::kDouble);
  const at::Tensor pinv_w = at::matmul(at::linalg_pinv(few.x), few.y);
  EXPECT_LT(max_abs_diff(ridge_predictions(few, 0), at::bmm(few.x_test.unsqueeze(1), pinv_w).view({64})), 1e-8);
  const double lambda = 0.7;
  const at::Tensor kernel = at::bmm(few.x, few.x.transpose(1, 2)) + lambda * at::eye(4, at::kDouble);
  // Ridge in its dual form Xᵀ(XXᵀ + λI)⁻¹y, an independent route to (XᵀX + λI)⁻¹Xᵀy.
  const at::Tensor dual = at::bmm(few.x.transpose(1, 2), at::linalg_solve(kernel, few.y));
  EXPECT_LT(max_abs_diff(ridge_predictions(few, lambda), at::bmm(few.x_test.unsqueeze(1), dual).view({64})), 1e-10);
  EXPECT_LT(ridge_predictions(few, 1e12).abs().max().item<double>(), 1e-9);
  EXPECT_THROW(ridge_predictions(few, -1), InputError);
  EXPECT_THROW(ridge_predictions(few, std::nan("")), InputError);
}

TEST(GdBaselines, LineSearchFindsTheOneStepOptimumInClosedForm) {
  const LinearTasks tasks = sample_linear_tasks({}, 4000, 5).to(at::kDouble);
  // One step from 0 predicts η·a with a = (1/N) Σ y_i x_iᵀ x_test: the loss is quadratic in η.
  const at::Tensor a = gradient_descent(tasks, 1.0, 1).predictions;
  const double eta_star = (a * tasks.y_test).sum().item<double>() / (a * a).sum().item<double>();
  const LineSearchResult found = line_search_gd_eta(tasks, 1);
  EXPECT_NEAR(found.eta, eta_star, 1e-5 * eta_star);
  EXPECT_NEAR(found.loss, half_mse(a * eta_star, tasks.y_test), 1e-12);
  // More steps: the found η is a local minimum of the K-step loss.
  const LineSearchResult three = line_search_gd_eta(tasks, 3);
  for (const double factor : {0.99, 1.01})
    EXPECT_GT(half_mse(gradient_descent(tasks, three.eta * factor, 3).predictions, tasks.y_test), three.loss);
}

TEST(TrainConfig, RejectsImpossibleSettingsAndRoundTripsThroughJson) {
  TrainConfig c;
  c.heads = 2, c.attn_dim = 22, c.cosine = true, c.warmup_steps = 10, c.seed = 12345678901234ull;
  const TrainConfig back = train_config_from_json_text(to_json_text(c), "test");
  EXPECT_EQ(to_json_text(back), to_json_text(c));
  EXPECT_EQ(back.head_dim(), 11);
  EXPECT_NEAR(c.learning_rate(0), 1e-4, 1e-15);
  EXPECT_NEAR(c.learning_rate(9), 1e-3, 1e-15);
  EXPECT_NEAR(c.learning_rate(10 + 995), 5e-4, 1e-12);  // cosine half way through the remaining 1990 steps
  auto bad = [](auto change) {
    TrainConfig t;
    change(t);
    EXPECT_THROW(t.validate(), InputError);
  };
  bad([](TrainConfig& t) { t.heads = 3, t.attn_dim = 22; });  // heads must divide the width
  bad([](TrainConfig& t) { t.layers = 0; });
  bad([](TrainConfig& t) { t.lr = std::nan(""); });
  bad([](TrainConfig& t) { t.beta2 = 1.0; });
  bad([](TrainConfig& t) { t.task = "sine"; });
  bad([](TrainConfig& t) { t.task_config.input_dim = -2; });
  bad([](TrainConfig& t) { t.warmup_steps = t.steps; });
  EXPECT_THROW(train_config_from_json_text("{\"task\": \"linear\"}", "run.json"), InputError);
}

}  // namespace
}  // namespace oh::icl
