// Linear dynamical systems (DESIGN §7, mesa-optimization paper): the sampled systems against their
// definition, causal stacks (shapes, hook names, causality, softmax and linear attention against
// explicit sums), the Prop. 1 construction against an explicit GD step at every t, linear probes, and
// quick next-token trainings that learn.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/error.h"
#include "hooks/run.h"
#include "icl/causal_stack.h"
#include "icl/dynamics_construction.h"
#include "icl/dynamics_tasks.h"
#include "icl/dynamics_training.h"
#include "icl/linear_probes.h"
#include "icl/linear_tasks.h"

namespace oh::icl {
namespace {

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

TEST(DynamicsTasks, SequencesFollowTheirDefinitionAndAreSeeded) {
  for (const char* task : {"dynamics", "dynamics-partial", "dynamics-nonlinear"}) {
    SCOPED_TRACE(task);
    const DynamicsConfig c = DynamicsConfig::preset(task);
    const DynamicsSequences a = sample_dynamics(c, 64, 5), b = sample_dynamics(c, 64, 5), other = sample_dynamics(c, 64, 6);
    EXPECT_EQ(a.states.sizes(), (at::IntArrayRef{64, 50, c.state_dim}));
    EXPECT_TRUE(at::equal(a.states, b.states));
    EXPECT_FALSE(at::equal(a.states, other.states));
    EXPECT_TRUE(at::isfinite(a.states).all().item<bool>());
    // W* orthogonal (float32 after a double QR).
    const at::Tensor gram = at::matmul(a.transition.transpose(1, 2), a.transition);
    EXPECT_LT(max_abs(gram - at::eye(c.hidden_dim)), 1e-5);
    // s_t = C* h_t + ε_s with ε_s of variance 0.01: the residual's variance over 64·50·n_s entries
    // (sd of the estimate ≈ 0.01·√(2/16000) ≈ 1.1e-4) lies within 10% of 0.01.
    const double observation_var = (a.states - at::matmul(a.hidden, a.observation.transpose(1, 2))).var().item<double>();
    EXPECT_NEAR(observation_var, 0.01, 1e-3);
    const at::Tensor predicted = at::matmul(a.nonlinearity(a.hidden), a.transition.transpose(1, 2));
    const double process_var = (a.hidden.narrow(1, 1, 49) - predicted.narrow(1, 0, 49)).var().item<double>();
    EXPECT_NEAR(process_var, 0.01, 1e-3);
    // Bounded: W* f keeps ‖h‖ (‖h_1‖ ≈ √n_h), so only the noise's random walk (‖·‖ ≈ √(50·0.01·n_h)) adds to it.
    const DynamicsSequences many = sample_dynamics(c, 500, 9);
    const double largest = max_abs(many.hidden);
    std::printf("%s: largest |h| over 500 sequences %.2f\n", task, largest);
    EXPECT_LT(largest, 20.0);
    EXPECT_NEAR(many.nonlinearity(many.hidden).norm(2, -1).mean().item<double>(), many.hidden.norm(2, -1).mean().item<double>(), 1e-4);
  }
  const DynamicsConfig partial = DynamicsConfig::preset("dynamics-partial");
  EXPECT_EQ(partial.hidden_dim, 15);
  EXPECT_EQ(partial.state_dim, 5);
  // C*'s entries have variance 0.5: 2000·75 entries, sd of the estimate 0.5·√(2/150000) ≈ 0.0018.
  EXPECT_NEAR(sample_dynamics(partial, 2000, 1).observation.var().item<double>(), 0.5, 0.01);
}

TEST(DynamicsTasks, BadConfigurationsAreInputErrors) {
  EXPECT_THROW(DynamicsConfig::preset("dynamics-foo"), InputError);
  DynamicsConfig c;
  c.hidden_dim = 12;  // C* = I needs n_s = n_h
  EXPECT_THROW(c.validate(), InputError);
  c = DynamicsConfig{};
  c.length = 1;
  EXPECT_THROW(c.validate(), InputError);
  c = DynamicsConfig{};
  c.process_noise_var = std::nan("");
  EXPECT_THROW(sample_dynamics(c, 4, 1), InputError);
  EXPECT_THROW(sample_dynamics(DynamicsConfig{}, 0, 1), InputError);
  EXPECT_THROW(least_squares_predictions(at::zeros({1, 3, 2}), 0.0), InputError);
}

TEST(DynamicsTasks, TokensAndBaselines) {
  const at::Tensor s = at::arange(12, at::kFloat).view({1, 4, 3});
  const at::Tensor tokens = dynamics_tokens(s, 2 * at::eye(3));
  EXPECT_EQ(tokens.sizes(), (at::IntArrayRef{1, 4, 9}));
  EXPECT_TRUE(at::equal(tokens.narrow(2, 0, 3), 2 * s));
  EXPECT_TRUE(at::equal(tokens.narrow(2, 3, 3), s));
  EXPECT_TRUE(at::equal(tokens.select(1, 0).narrow(1, 6, 3), at::zeros({1, 3})));
  EXPECT_TRUE(at::equal(tokens.narrow(1, 1, 3).narrow(2, 6, 3), s.narrow(1, 0, 3)));
  // A noiseless system is recovered exactly by least squares once n_s independent pairs are seen.
  DynamicsConfig c;
  c.state_dim = c.hidden_dim = 3, c.process_noise_var = c.observation_noise_var = 0;
  const DynamicsSequences seq = sample_dynamics(c, 16, 2);
  const at::Tensor ls = least_squares_predictions(seq.states, 1e-8);
  const at::Tensor late = ls.narrow(1, 10, 39) - next_states(seq.states).narrow(1, 10, 39);
  EXPECT_LT(max_abs(late), 1e-3);
}

CausalStack stack(const std::string& model, int layers, int64_t heads = 1) {
  StackConfig c = make_stack_config(model, layers, heads, 12, 4, 20);
  c.init_std = 0.2;  // large enough that every path changes the output
  return CausalStack(c, 3);
}

TEST(CausalStack, FactoryAndBadConfigurations) {
  const StackConfig hybrid = make_stack_config("hybrid", 3, 2, 12, 4, 20);
  EXPECT_EQ(hybrid.layers, (std::vector<AttentionKind>{AttentionKind::softmax, AttentionKind::mesa, AttentionKind::mesa}));
  const StackConfig softmax = make_stack_config("softmax,no-mlp,pos=sinusoidal", 2, 1, 12, 4, 0);
  EXPECT_FALSE(softmax.mlp);
  EXPECT_TRUE(softmax.layer_norm);
  EXPECT_EQ(softmax.positional, PositionalEncoding::sinusoidal);
  EXPECT_THROW(make_stack_config("transformer", 1, 1, 12, 4, 20), InputError);
  EXPECT_THROW(make_stack_config("lsa,foo", 1, 1, 12, 4, 20), InputError);
  EXPECT_THROW(make_stack_config("lsa,pos=rotary", 1, 1, 12, 4, 20), InputError);
  EXPECT_THROW(make_stack_config("lsa", 0, 1, 12, 4, 20), InputError);
  EXPECT_THROW(make_stack_config("lsa", 1, 1, 12, 13, 20), InputError);
  EXPECT_THROW(make_stack_config("softmax", 1, 1, 12, 4, 0), InputError);  // learned positions need a length
  EXPECT_THROW(make_stack_config("mesa", 1, 0, 12, 4, 20), InputError);
  // lambda=V fixes every mesa layer's λ: a buffer, no longer a parameter; V must be > 0 and finite.
  const CausalStack fixed(make_stack_config("hybrid,lambda=2.5", 2, 2, 12, 4, 20), 1);
  const CausalStack learned(make_stack_config("hybrid", 2, 2, 12, 4, 20), 1);
  EXPECT_EQ(fixed.parameters().size() + 1, learned.parameters().size());  // log λ of the mesa layer is gone
  for (const auto& [name, value] : fixed.named_parameters()) EXPECT_EQ(name.find("lambda"), std::string::npos) << name;
  for (const char* bad : {"mesa,lambda=0", "mesa,lambda=-1", "mesa,lambda=nan", "mesa,lambda=inf", "mesa,lambda=", "lsa,lambda=1"})
    EXPECT_THROW(make_stack_config(bad, 1, 1, 12, 4, 20), InputError) << bad;
}

TEST(CausalStack, ShapesHookNamesAndCausality) {
  const at::Tensor tokens = at::randn({3, 7, 12}, at::kFloat);
  for (const char* model : {"lsa", "mesa", "softmax", "hybrid", "softmax,pos=sinusoidal"}) {
    SCOPED_TRACE(model);
    const CausalStack m = stack(model, 2, 2);
    const hooks::CachedRun run = hooks::run_with_cache(m, tokens);
    EXPECT_EQ(run.output.sizes(), (at::IntArrayRef{3, 7, 4}));
    EXPECT_TRUE(at::allclose(run.output, m.forward(tokens)));
    for (int l = 0; l < 2; ++l) {
      const std::string b = "blocks." + std::to_string(l) + ".";
      for (const char* name : {"hook_resid_pre", "hook_resid_post", "hook_attn_out"}) EXPECT_EQ(run.cache[b + name].sizes(), (at::IntArrayRef{3, 7, 12}));
      EXPECT_EQ(run.cache[b + "attn.hook_q"].sizes(), (at::IntArrayRef{3, 7, 2, 12}));
      EXPECT_EQ(run.cache[b + "attn.hook_z"].sizes(), (at::IntArrayRef{3, 7, 2, 12}));
      const bool is_mesa = m.config().layers[static_cast<size_t>(l)] == AttentionKind::mesa;
      EXPECT_EQ(run.cache.contains(b + "attn.hook_q_tilde"), is_mesa);
      EXPECT_EQ(run.cache.contains(b + "attn.hook_pattern"), !is_mesa);
      if (!is_mesa) {
        const at::Tensor pattern = run.cache[b + "attn.hook_pattern"];
        EXPECT_EQ(pattern.sizes(), (at::IntArrayRef{3, 2, 7, 7}));
        EXPECT_EQ(max_abs(pattern.triu(1)), 0.0);  // nothing from later positions
      }
      EXPECT_EQ(run.cache.contains(b + "mlp.hook_pre"), m.config().mlp);
      EXPECT_EQ(run.cache.contains(b + "ln1.hook_scale"), m.config().layer_norm);
      if (m.config().mlp) {
        EXPECT_EQ(run.cache[b + "mlp.hook_pre"].sizes(), (at::IntArrayRef{3, 7, 48}));
        EXPECT_EQ(run.cache[b + "hook_resid_mid"].sizes(), (at::IntArrayRef{3, 7, 12}));
        EXPECT_EQ(run.cache[b + "ln2.hook_scale"].sizes(), (at::IntArrayRef{3, 7, 1}));
      }
    }
    EXPECT_EQ(run.cache.contains("hook_pos_embed"), m.config().positional != PositionalEncoding::none);
    // Causal: changing the last token changes only the last output.
    at::Tensor changed = tokens.clone();
    changed.select(1, 6).normal_();
    const at::Tensor other = m.forward(changed);
    EXPECT_TRUE(at::allclose(other.narrow(1, 0, 6), run.output.narrow(1, 0, 6), 1e-5, 1e-6));
    EXPECT_GT(max_abs(other.select(1, 6) - run.output.select(1, 6)), 1e-4);
  }
  EXPECT_THROW(stack("softmax", 1).forward(at::randn({1, 21, 12})), InputError);  // beyond the learned positions
  EXPECT_THROW(stack("lsa", 1).forward(at::randn({1, 5, 11})), InputError);
}

// One head, no LayerNorm/MLP/positions: the attention output against explicit sums over t' ≤ t.
TEST(CausalStack, AttentionMatchesExplicitSums) {
  const at::Tensor x = at::randn({2, 6, 12}, at::kDouble);
  for (const char* model : {"lsa", "softmax,no-mlp,no-ln,pos=none"}) {
    SCOPED_TRACE(model);
    const CausalStack m = stack(model, 1);
    const bool softmax = std::string(model).rfind("softmax", 0) == 0;
    const at::Tensor wq = m.parameter("blocks.0.attn.w_q").to(at::kDouble), wk = m.parameter("blocks.0.attn.w_k").to(at::kDouble);
    const at::Tensor wv = m.parameter("blocks.0.attn.w_v").to(at::kDouble), wo = m.parameter("blocks.0.attn.w_o").to(at::kDouble);
    const at::Tensor out = hooks::run_with_cache(m, x.to(at::kFloat)).cache["blocks.0.hook_attn_out"].to(at::kDouble);
    double worst = 0;
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t t = 0; t < 6; ++t) {
        const at::Tensor q = at::mv(wq, x[b][t]);
        std::vector<double> weights;
        for (int64_t u = 0; u <= t; ++u) weights.push_back(at::dot(q, at::mv(wk, x[b][u])).item<double>() / (softmax ? std::sqrt(12.0) : 1.0));
        if (softmax) {
          const double top = *std::max_element(weights.begin(), weights.end());
          double total = 0;
          for (double& w : weights) total += (w = std::exp(w - top));
          for (double& w : weights) w /= total;
        }
        at::Tensor z = at::zeros({12}, at::kDouble);
        for (int64_t u = 0; u <= t; ++u) z += weights[static_cast<size_t>(u)] * at::mv(wv, x[b][u]);
        worst = std::max(worst, max_abs(at::mv(wo, z) - out[b][t]) / (1 + max_abs(out[b][t])));
      }
    EXPECT_LT(worst, 1e-5);  // float32 products of 12-term sums; the reference is double
  }
}

TEST(Prop1, EqualsOneGradientStepAtEveryPosition) {
  const DynamicsSequences seq = sample_dynamics(DynamicsConfig{}, 8, 11);
  const at::Tensor phi0 = 0.3 * at::randn({10, 10}, at::kFloat);
  for (const double eta : {0.02, -0.05}) {
    for (const bool with_phi0 : {false, true}) {
      SCOPED_TRACE(std::to_string(eta) + (with_phi0 ? " with Φ0" : " from 0"));
      const at::Tensor start = with_phi0 ? phi0 : at::Tensor();
      const CausalStack model = make_prop1_model(10, eta, start);
      const at::Tensor tokens = dynamics_tokens(seq.states, start);
      const hooks::CachedRun run = hooks::run_with_cache(model, tokens, {hooks::NameFilter::exactly({"blocks.0.hook_resid_post"})});
      const at::Tensor expected = gd_step_predictions(seq.states, eta, start).to(at::kDouble);
      // float32 attention over ≤ 50 positions of 30-wide products against a double reference: an
      // error of a few ulps of the largest partial sums: measured ≤ 2.2e-7 of the largest prediction.
      const double relative = max_abs(run.output.to(at::kDouble) - expected) / max_abs(expected);
      std::printf("Prop. 1, η %g%s: max |model − GD step| / max |GD step| = %.2e\n", eta, with_phi0 ? ", Φ0" : "", relative);
      EXPECT_LT(relative, 2e-6);
      EXPECT_GT(max_abs(expected - (with_phi0 ? dynamics_tokens(seq.states, start).narrow(2, 0, 10).to(at::kDouble) : expected * 0)), 1.0);
      // The other blocks pass through unchanged.
      EXPECT_TRUE(at::equal(run.cache["blocks.0.hook_resid_post"].narrow(2, 10, 20), tokens.narrow(2, 10, 20)));
    }
  }
  EXPECT_THROW(make_prop1_model(10, 0.1, at::zeros({9, 10})), InputError);
  EXPECT_THROW(make_prop1_model(0, 0.1), InputError);
}

TEST(Probes, RecoverTheTargetsTheyShould) {
  // Unit: an exactly linear target gives R² = 1; an independent one gives R² ≈ 0 on held-out rows.
  const at::Tensor x = at::randn({400, 5}, at::kDouble), y = at::matmul(x, at::randn({5, 2}, at::kDouble)) + 3;
  EXPECT_GT(probe_r2(x.narrow(0, 0, 200), y.narrow(0, 0, 200), x.narrow(0, 200, 200), y.narrow(0, 200, 200), 1e-9), 1 - 1e-9);
  const at::Tensor noise = at::randn({400, 2}, at::kDouble);
  // 5 features fitted on 200 rows: overfitting costs about 5/200 of R² on fresh rows.
  EXPECT_LT(std::abs(probe_r2(x.narrow(0, 0, 200), noise.narrow(0, 0, 200), x.narrow(0, 200, 200), noise.narrow(0, 200, 200), 1e-9)), 0.1);

  // The Prop. 1 model's layer output holds its GD-step prediction: a probe finds it (R² ≈ 1), while
  // the tokens themselves do not linearly contain it.
  const DynamicsConfig c;
  const DynamicsSequences fit = sample_dynamics(c, 200, 21), score = sample_dynamics(c, 200, 22);
  const std::vector<ProbeScore> scores = probe_residual_stream(make_prop1_model(10, 0.1), c, fit, score, 0.1, 1e-9);
  auto r2 = [&](const std::string& hook, const std::string& target) {
    for (const ProbeScore& s : scores)
      if (s.hook == hook && s.target == target) return s.r2;
    ADD_FAILURE() << "no probe " << hook << " → " << target;
    return 0.0;
  };
  std::printf("Prop. 1 probes, gd_step: R² %.9f at the layer output, %.4f at the tokens\n", r2("blocks.0.hook_resid_post", "gd_step"),
              r2("hook_embed", "gd_step"));
  EXPECT_GT(r2("blocks.0.hook_resid_post", "gd_step"), 1 - 1e-6);
  EXPECT_LT(r2("hook_embed", "gd_step"), 0.5);
  for (const char* target : {"w_star_s", "least_squares", "preconditioned"}) EXPECT_GT(r2("hook_embed", target), -1.0) << target;
}

TrainOptions quiet(const std::string& dir) {
  TrainOptions o;
  o.out_dir = dir;
  o.progress = false;
  return o;
}

DynamicsTrainConfig quick_config(const std::string& model) {
  TrainConfig t;
  t.task = "dynamics", t.model = model, t.steps = 200, t.batch = 64, t.eval_every = 100, t.eval_tasks = 200, t.lr = 3e-3, t.seed = 1;
  return DynamicsTrainConfig::from(t);
}

/// Late-position loss of one GD step from 0 (the Prop. 1 model) at its best single η, found in closed
/// form: the prediction is η·G with G the η = 1 step, so η* = ⟨G, y⟩ / ⟨G, G⟩.
double best_gd_step_late_loss(const at::Tensor& states, int64_t late_positions) {
  const int64_t from = states.size(1) - 1 - late_positions;
  const at::Tensor g = gd_step_predictions(states, 1.0).to(at::kDouble).narrow(1, from, late_positions);
  const at::Tensor y = next_states(states).to(at::kDouble).narrow(1, from, late_positions);
  const double eta = (g * y).sum().item<double>() / (g * g).sum().item<double>();
  return 0.5 * (eta * g - y).pow(2).sum(-1).mean().item<double>();
}

// 1-layer LSA and mesa stacks trained on fully observed dynamics for 200 steps (lr 3e-3, batch 64,
// seed 1), evaluated at the last 10 positions of 200 held-out sequences. Measured (late ½MSE):
// mesa 0.207 against least squares' 0.199 (ratio 1.04); LSA 4.07 against the best single-η GD step's
// 3.15 (ratio 1.29: one fixed η cannot scale with the growing context, so it stays far above least
// squares, as in the paper; still falling at 200 steps); copy-last 15.73. Thresholds: mesa within 1.25×
// least squares, LSA within 1.5× the best GD step, both below half of copy-last.
TEST(DynamicsTraining, OneLayerModelsLearnInContext) {
  const std::string dir = ::testing::TempDir() + "/icl_dynamics_quick";
  for (const char* model : {"lsa", "mesa"}) {
    SCOPED_TRACE(model);
    std::filesystem::remove_all(dir);
    const DynamicsTrainResult r = train_dynamics(quick_config(model), quiet(dir));
    const DynamicsMetrics& m = r.final_metrics;
    const DynamicsRun run = load_dynamics_run(dir);
    const DynamicsSequences eval_set = sample_dynamics(run.config.dynamics, 200, run.config.training.eval_seed);
    const double gd_step = best_gd_step_late_loss(eval_set.states, 10);
    std::printf("%s: late %.4f copy-last %.4f least squares %.4f best GD step %.4f (all positions %.4f)\n", model, m.late_loss,
                m.copy_last_late_loss, m.least_squares_late_loss, gd_step, m.eval_loss);
    // Both beat copying the last state by far.
    EXPECT_LT(m.late_loss, 0.5 * m.copy_last_late_loss);
    if (std::string(model) == "mesa") {
      EXPECT_LT(m.late_loss, 1.25 * m.least_squares_late_loss);  // the mesa layer is least squares in a layer
    } else {
      EXPECT_LT(m.late_loss, 1.5 * gd_step);
    }
    if (std::string(model) == "mesa") {
      // The trained mesa layer writes its least-squares-like prediction into the stream: a probe reads
      // it after the layer far better than from the tokens (measured R² 0.991 against −0.021).
      const DynamicsSequences fit = sample_dynamics(run.config.dynamics, 100, 31), score = sample_dynamics(run.config.dynamics, 100, 32);
      double before = 0, after = 0;
      for (const ProbeScore& p : probe_residual_stream(run.model, run.config.dynamics, fit, score, run.config.ridge, 1e-6))
        if (p.target == "least_squares") (p.layer < 0 ? before : after) = p.r2;
      std::printf("mesa probes, least_squares: R² %.4f at the tokens, %.4f after the layer\n", before, after);
      EXPECT_GT(after, 0.9);
      EXPECT_GT(after, before + 0.5);
    }
    const DynamicsMetrics again = evaluate_dynamics(run.model, eval_set, run.config.ridge, 10);
    EXPECT_DOUBLE_EQ(again.late_loss, m.late_loss);  // the saved weights are the trained ones
  }
}

// A dynamics run stopped as by a crash and rerun continues exactly as the uninterrupted run: the hybrid
// stack (softmax, then mesa with its λ) and AdamW's state come back from the checkpoint bit for bit.
TEST(DynamicsTraining, AResumedRunContinuesExactlyAsTheUninterruptedOne) {
  TrainConfig t;
  t.task = "dynamics", t.model = "hybrid", t.layers = 2, t.steps = 30, t.batch = 32, t.eval_every = 10, t.eval_tasks = 50, t.lr = 3e-3;
  t.optimizer = "adamw", t.weight_decay = 0.01, t.seed = 4;
  const DynamicsTrainConfig config = DynamicsTrainConfig::from(t);
  const std::string straight = ::testing::TempDir() + "/icl_dynamics_straight", crashed = ::testing::TempDir() + "/icl_dynamics_crashed";
  std::filesystem::remove_all(straight);
  std::filesystem::remove_all(crashed);
  ASSERT_TRUE(train_dynamics(config, quiet(straight)).finished);
  TrainOptions first = quiet(crashed);
  first.stop_after_steps = 15;  // the last checkpoint is step 10's
  EXPECT_FALSE(train_dynamics(config, first).finished);
  const DynamicsTrainResult resumed = train_dynamics(config, quiet(crashed));
  EXPECT_EQ(resumed.resumed_from, 10);
  ASSERT_TRUE(resumed.finished);
  const auto a = load_dynamics_run(straight).model.parameters(), b = load_dynamics_run(crashed).model.parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(at::equal(a[i], b[i])) << "parameter " << i;
  auto text = [](const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(text(straight + "/metrics.jsonl"), text(crashed + "/metrics.jsonl"));
  // A rerun with another configuration is refused rather than mixed into the run.
  TrainConfig other = t;
  other.lr = 1e-3;
  EXPECT_THROW(train_dynamics(DynamicsTrainConfig::from(other), quiet(crashed)), InputError);
}

// The longer reproduction (about 200 s on one core; run with --gtest_also_run_disabled_tests), the same
// as `optim-hunter icl train --task dynamics --model hybrid --layers 2 --steps 1000 --batch 128 --lr 3e-3
// --eval-every 250 --eval-tasks 500 --seed 1 --out DIR` then `optim-hunter icl probe --run DIR --sequences 300`.
// Measured: late ½MSE 0.2031 against least squares' 0.2002 (ratio 1.014; copy-last 14.72); probes on
// blocks.1.hook_resid_post: least_squares R² 0.996, w_star_s 0.890, while block 0 (softmax) and the
// tokens hold neither (R² < 0.13). Thresholds: ratio ≤ 1.05, least-squares probe R² ≥ 0.98.
TEST(DynamicsTraining, DISABLED_HybridStackReachesLeastSquares) {
  const std::string dir = ::testing::TempDir() + "/icl_dynamics_hybrid";
  std::filesystem::remove_all(dir);
  TrainConfig t;
  t.task = "dynamics", t.model = "hybrid", t.layers = 2, t.steps = 1000, t.batch = 128, t.lr = 3e-3, t.eval_every = 250;
  t.eval_tasks = 500, t.seed = 1;
  TrainOptions options;
  options.out_dir = dir;
  const DynamicsMetrics m = train_dynamics(DynamicsTrainConfig::from(t), options).final_metrics;
  std::printf("hybrid: late %.4f least squares %.4f copy-last %.4f\n", m.late_loss, m.least_squares_late_loss, m.copy_last_late_loss);
  EXPECT_LT(m.late_loss, 1.05 * m.least_squares_late_loss);
  const DynamicsRun run = load_dynamics_run(dir);
  const DynamicsSequences fit = sample_dynamics(run.config.dynamics, 300, derive_seed(7, 1));
  const DynamicsSequences score = sample_dynamics(run.config.dynamics, 300, derive_seed(7, 2));
  for (const ProbeScore& p : probe_residual_stream(run.model, run.config.dynamics, fit, score, run.config.ridge, 1e-6)) {
    std::printf("%s %s R² %.4f\n", p.hook.c_str(), p.target.c_str(), p.r2);
    if (p.layer == 1 && p.target == "least_squares") {
      EXPECT_GT(p.r2, 0.98);
    }
  }
}

}  // namespace
}  // namespace oh::icl
