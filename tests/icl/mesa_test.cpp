// The mesa layer against an explicit closed form, Φ̂_t = S_t A_t⁻¹ with S_t = Σ_{τ≤t} v_τk_τᵀ and
// A_t = Σ_{τ≤t} k_τk_τᵀ + I/λ built from scratch at every t and inverted, in double precision.
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "icl/mesa/mesa_attention.h"
#include "icl/mesa/mesa_solvers.h"

namespace oh::icl::mesa {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
const at::TensorOptions kDouble = at::TensorOptions().dtype(at::kDouble);

at::Generator seeded(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

at::Tensor gaussian(at::IntArrayRef sizes, at::Generator& generator) {
  return at::normal(0.0, 1.0, sizes, generator, kDouble);
}

/// A_t = Σ_{τ≤t} k_τk_τᵀ + I/λ, from scratch: [B, H, d, d].
at::Tensor regularised_gram(const at::Tensor& k, const at::Tensor& lambda, int64_t t) {
  const at::Tensor keys = k.narrow(2, 0, t + 1);
  return keys.transpose(-1, -2).matmul(keys) + at::eye(k.size(3), kDouble) / lambda.view({1, -1, 1, 1});
}

/// q̃_t = A_t⁻¹ q_t by an explicit inverse at every t.
at::Tensor closed_form_q_tilde(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
  std::vector<at::Tensor> out;
  for (int64_t t = 0; t < q.size(2); ++t)
    out.push_back(at::inverse(regularised_gram(k, lambda, t)).matmul(q.select(2, t).unsqueeze(-1)).squeeze(-1));
  return at::stack(out, 2);
}

/// z_t = Φ̂_t q_t with Φ̂_t = S_t A_t⁻¹ formed explicitly.
at::Tensor closed_form_z(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& lambda) {
  std::vector<at::Tensor> out;
  for (int64_t t = 0; t < q.size(2); ++t) {
    const at::Tensor s = v.narrow(2, 0, t + 1).transpose(-1, -2).matmul(k.narrow(2, 0, t + 1));
    const at::Tensor phi = s.matmul(at::inverse(regularised_gram(k, lambda, t)));
    out.push_back(phi.matmul(q.select(2, t).unsqueeze(-1)).squeeze(-1));
  }
  return at::stack(out, 2);
}

/// The largest condition number of A_t over every batch, head and t.
double max_condition(const at::Tensor& k, const at::Tensor& lambda) {
  double worst = 1;
  for (int64_t t = 0; t < k.size(2); ++t) {
    const at::Tensor eigenvalues = at::linalg_eigvalsh(regularised_gram(k, lambda, t));
    worst = std::max(worst, (eigenvalues.select(-1, -1) / eigenvalues.select(-1, 0)).max().item<double>());
  }
  return worst;
}

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }
double max_error(const at::Tensor& a, const at::Tensor& b) { return max_abs(a - b); }

using Solver = std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>;

struct NamedSolver {
  std::string name;
  Solver solve;
  Solver readout = mesa_readout;
};

/// Every path, CG run to convergence (its default stop is checked separately).
std::vector<NamedSolver> all_solvers() {
  return {{"sherman_morrison", q_tilde_sherman_morrison},
          {"sherman_morrison_fused", q_tilde_sherman_morrison_fused, mesa_readout_fused},
          {"cholesky", q_tilde_cholesky},
          {"conjugate_gradient", [](const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
             return q_tilde_conjugate_gradient(q, k, lambda, ConjugateGradientOptions{30, 1e-13});
           }}};
}

struct Problem {
  at::Tensor q, k, v, lambda;
};

/// Batch 2, heads 2 (λ = (λ0, λ1)), T = 12, d_k = 4, d_v = 3.
Problem make_problem(double lambda0, double lambda1, uint64_t seed) {
  at::Generator g = seeded(seed);
  return {gaussian({2, 2, 12, 4}, g), gaussian({2, 2, 12, 4}, g), gaussian({2, 2, 12, 3}, g),
          at::tensor({lambda0, lambda1}, kDouble)};
}

// Forward: a solve (Cholesky, CG to 1e-13, a Sherman–Morrison update) has a backward error of order
// d·ε, and the forward error is at most that times κ(A_t). The bound, 16·d·ε·κ_max relative to the
// largest |z|, leaves room for the recursion's accumulation over T = 12 updates (measured worst: CG at
// 0.025 of the bound, the others ≤ 0.003; the opposite λ convention is ≥ 3e11 times the bound away).
TEST(MesaSolvers, EveryPathMatchesTheClosedFormAtEveryPosition) {
  for (const auto& [lambda0, lambda1] : std::vector<std::pair<double, double>>{{0.3, 3.0}, {3.0, 0.3}, {30.0, 0.05}}) {
    const Problem p = make_problem(lambda0, lambda1, 7);
    const at::Tensor reference_q_tilde = closed_form_q_tilde(p.q, p.k, p.lambda);
    const at::Tensor reference_z = closed_form_z(p.q, p.k, p.v, p.lambda);
    const double kappa = max_condition(p.k, p.lambda);
    const double bound = 16.0 * 4 * kEpsilon * kappa;
    // The opposite convention (R_0 = I/λ) must be far outside the bound, or the test could not tell.
    const at::Tensor swapped = closed_form_z(p.q, p.k, p.v, p.lambda.reciprocal());
    EXPECT_GT(max_error(swapped, reference_z), 1e6 * bound * max_abs(reference_z));
    for (const NamedSolver& solver : all_solvers()) {
      const at::Tensor q_tilde = solver.solve(p.q, p.k, p.lambda);
      const at::Tensor z = solver.readout(q_tilde, p.k, p.v);
      SCOPED_TRACE(solver.name + " λ = (" + std::to_string(lambda0) + ", " + std::to_string(lambda1) +
                   "), κ_max = " + std::to_string(kappa));
      EXPECT_LE(max_error(q_tilde, reference_q_tilde), bound * max_abs(reference_q_tilde));
      EXPECT_LE(max_error(z, reference_z), bound * max_abs(reference_z));
    }
  }
}

/// ∂L/∂(q, k, v, λ) for L = Σ w ⊙ z.
std::vector<at::Tensor> gradients(const Problem& p, const at::Tensor& weights, const NamedSolver* solver) {
  std::vector<at::Tensor> leaves{p.q.clone().requires_grad_(), p.k.clone().requires_grad_(), p.v.clone().requires_grad_(),
                                 p.lambda.clone().requires_grad_()};
  const at::Tensor z = solver ? solver->readout(solver->solve(leaves[0], leaves[1], leaves[3]), leaves[1], leaves[2])
                              : closed_form_z(leaves[0], leaves[1], leaves[2], leaves[3]);
  (z * weights).sum().backward();
  std::vector<at::Tensor> grads;
  for (const at::Tensor& leaf : leaves) grads.push_back(leaf.grad());
  return grads;
}

// Backward: the gradients are products of two solved vectors (u_t = A_t⁻¹g_t and q̃_t), each with a
// relative error up to d·ε·κ, so the bound is twice the forward one, 32·d·ε·κ_max relative to the
// largest gradient entry of each input (measured worst: CG's ∂L/∂k at 0.017 of it, the others ≤ 0.004).
TEST(MesaSolvers, GradientsMatchAutogradThroughTheClosedFormLambdaIncluded) {
  const Problem p = make_problem(0.3, 3.0, 11);
  at::Generator g = seeded(12);
  const at::Tensor weights = gaussian({2, 2, 12, 3}, g);
  const std::vector<at::Tensor> reference = gradients(p, weights, nullptr);
  const double kappa = max_condition(p.k, p.lambda);
  const double bound = 32.0 * 4 * kEpsilon * kappa;
  const char* input_names[] = {"q", "k", "v", "λ"};
  for (const NamedSolver& solver : all_solvers()) {
    const std::vector<at::Tensor> grads = gradients(p, weights, &solver);
    for (size_t i = 0; i < grads.size(); ++i) {
      SCOPED_TRACE(solver.name + " ∂L/∂" + input_names[i]);
      ASSERT_TRUE(grads[i].defined());
      EXPECT_LE(max_error(grads[i], reference[i]), bound * max_abs(reference[i]));
    }
  }
}

// The fused backward against central differences (no autograd involved) on λ and a few key entries:
// step h = 1e-5 gives truncation O(h²) ≈ 1e-10 and rounding ε·|L|/h ≈ 1e-10 relative (measured
// ≤ 1e-9 absolute on λ, ≤ 8e-11 on k), so 1e-7 relative is a safe bound that still catches a wrong formula.
TEST(MesaSolvers, FusedGradientMatchesFiniteDifferences) {
  const Problem p = make_problem(0.3, 3.0, 21);
  at::Generator g = seeded(22);
  const at::Tensor weights = gaussian({2, 2, 12, 3}, g);
  const NamedSolver fused{"sherman_morrison_fused", q_tilde_sherman_morrison_fused, mesa_readout_fused};
  const std::vector<at::Tensor> grads = gradients(p, weights, &fused);
  auto loss = [&](const at::Tensor& k, const at::Tensor& lambda) {
    return (mesa_readout_fused(q_tilde_sherman_morrison_fused(p.q, k, lambda), k, p.v) * weights).sum().item<double>();
  };
  const double h = 1e-5;
  for (int64_t head = 0; head < 2; ++head) {
    at::Tensor up = p.lambda.clone(), down = p.lambda.clone();
    up[head] += h;
    down[head] -= h;
    const double numeric = (loss(p.k, up) - loss(p.k, down)) / (2 * h);
    EXPECT_NEAR(grads[3][head].item<double>(), numeric, 1e-7 * std::max(1.0, std::abs(numeric))) << "head " << head;
  }
  for (const std::vector<int64_t>& at_index : std::vector<std::vector<int64_t>>{{0, 0, 0, 0}, {1, 1, 5, 2}, {0, 1, 11, 3}}) {
    at::Tensor up = p.k.clone(), down = p.k.clone();
    up[at_index[0]][at_index[1]][at_index[2]][at_index[3]] += h;
    down[at_index[0]][at_index[1]][at_index[2]][at_index[3]] -= h;
    const double numeric = (loss(up, p.lambda) - loss(down, p.lambda)) / (2 * h);
    EXPECT_NEAR(grads[1][at_index[0]][at_index[1]][at_index[2]][at_index[3]].item<double>(), numeric,
                1e-7 * std::max(1.0, std::abs(numeric)));
  }
}

// MesaNet's stop (≤ 30 steps or relative residual 1e-4) holds per system on a problem that needs
// several steps (d = 16, κ up to ~1e3), and one step is visibly not enough (the check can fail).
TEST(MesaSolvers, ConjugateGradientStopsAtTheRelativeResidual) {
  at::Generator g = seeded(31);
  const at::Tensor q = gaussian({3, 1, 20, 16}, g), k = gaussian({3, 1, 20, 16}, g);
  const at::Tensor lambda = at::tensor({30.0}, kDouble);
  auto worst_relative_residual = [&](const at::Tensor& q_tilde) {
    double worst = 0;
    for (int64_t t = 0; t < q.size(2); ++t) {
      const at::Tensor residual = regularised_gram(k, lambda, t).matmul(q_tilde.select(2, t).unsqueeze(-1)).squeeze(-1) -
                                  q.select(2, t);
      worst = std::max(worst, (residual.norm(2, -1) / q.select(2, t).norm(2, -1)).max().item<double>());
    }
    return worst;
  };
  EXPECT_LE(worst_relative_residual(q_tilde_conjugate_gradient(q, k, lambda)), 1e-4);
  EXPECT_GT(worst_relative_residual(q_tilde_conjugate_gradient(q, k, lambda, ConjugateGradientOptions{1, 1e-4})), 1e-2);
}

// Without autograd recording, the recursion and the readout run as plain loops on CPU (what the tests
// above check against the closed form); with it, as tensor ops. Both orders of rounding agree within the
// forward bound, and the fused path gives the same answer whether or not it saves R_t for a backward.
TEST(MesaSolvers, PlainLoopsAndTensorOpsAgree) {
  const Problem p = make_problem(0.3, 3.0, 35);
  const at::Tensor k = p.k.clone().requires_grad_();
  const at::Tensor tensor_ops = mesa_readout(q_tilde_sherman_morrison(p.q, k, p.lambda), k, p.v);
  const at::Tensor fused_with_graph = q_tilde_sherman_morrison_fused(p.q, k, p.lambda);
  ASSERT_TRUE(tensor_ops.requires_grad() && fused_with_graph.requires_grad());
  const double bound = 16.0 * 4 * kEpsilon * max_condition(p.k, p.lambda);
  c10::NoGradGuard no_grad;
  const at::Tensor loops = mesa_readout(q_tilde_sherman_morrison(p.q, k, p.lambda), k, p.v);
  EXPECT_FALSE(at::equal(loops, tensor_ops));  // really two implementations
  EXPECT_LE(max_error(loops, tensor_ops), bound * max_abs(tensor_ops));
  EXPECT_TRUE(at::equal(q_tilde_sherman_morrison_fused(p.q, k, p.lambda), fused_with_graph));
}

TEST(MesaSolvers, RejectsMismatchedShapesAndSingularSystems) {
  at::Generator g = seeded(41);
  const at::Tensor q = gaussian({1, 2, 3, 4}, g);
  const at::Tensor lambda = at::ones({2}, kDouble);
  EXPECT_THROW(q_tilde_cholesky(q, gaussian({1, 2, 3, 5}, g), lambda), InputError);
  EXPECT_THROW(q_tilde_sherman_morrison(q, q, at::ones({3}, kDouble)), InputError);
  EXPECT_THROW(q_tilde_conjugate_gradient(q, q, lambda, ConjugateGradientOptions{0, 1e-4}), InputError);
  EXPECT_THROW(mesa_readout(q, q, gaussian({1, 2, 4, 3}, g)), InputError);
  // λ = ∞ leaves A_1 = k kᵀ, rank one: Cholesky must refuse rather than return garbage.
  const at::Tensor k = at::tensor({1.0, 2.0}, kDouble).view({1, 1, 1, 2});
  EXPECT_THROW(q_tilde_cholesky(k, k, at::full({1}, std::numeric_limits<double>::infinity(), kDouble)), ComputationError);
}

// ---- the layer ----

MesaAttentionOptions layer_options(MesaSolver solver) {
  MesaAttentionOptions options;
  options.d_model = 6;
  options.heads = 2;
  options.init_std = 0.5;  // large enough that the solve is far from its λ-only limit
  options.lambda_init = 0.3;
  options.solver = solver;
  options.conjugate_gradient = ConjugateGradientOptions{30, 1e-13};
  options.dtype = at::kDouble;
  return options;
}

/// The layer's output rebuilt from its weights with the closed form.
at::Tensor closed_form_layer(const MesaAttentionImpl& layer, const at::Tensor& x) {
  const int64_t b = x.size(0), p = x.size(1), h = layer.options().heads, dh = layer.options().d_head;
  auto heads = [&](const at::Tensor& w) { return x.matmul(w.t()).view({b, p, h, dh}).transpose(1, 2); };
  const at::Tensor z = closed_form_z(heads(layer.w_q()), heads(layer.w_k()), heads(layer.w_v()), layer.lambda());
  return z.transpose(1, 2).reshape({b, p, h * dh}).matmul(layer.w_o().t());
}

TEST(MesaAttention, EverySolverMatchesTheClosedFormAndFiresItsHooksWithTheirShapes) {
  at::Generator g = seeded(51);
  const at::Tensor x = gaussian({2, 9, 6}, g);
  for (const char* name : {"sherman_morrison", "sherman_morrison_fused", "cholesky", "conjugate_gradient"}) {
    SCOPED_TRACE(name);
    hooks::HookPointRegistry registry;
    registry.declare("blocks.0.hook_resid_pre", 0);  // the owner's points come first
    MesaAttention layer(layer_options(mesa_solver_from_name(name)), registry, 1, seeded(52));
    EXPECT_EQ(mesa_solver_name(layer->options().solver), name);
    hooks::HookPass pass(registry);
    std::vector<std::string> fired;
    std::vector<std::vector<int64_t>> shapes;
    pass.add(registry.resolve([](const std::string&) { return true; }),
             [&](const at::Tensor& value, const hooks::HookContext& context) -> std::optional<at::Tensor> {
               fired.push_back(context.point.name);
               shapes.push_back(value.sizes().vec());
               return std::nullopt;
             });
    const at::Tensor out = layer->forward(x, pass);
    EXPECT_EQ(fired, (std::vector<std::string>{"blocks.1.attn.hook_q", "blocks.1.attn.hook_k", "blocks.1.attn.hook_v",
                                               "blocks.1.attn.hook_q_tilde", "blocks.1.attn.hook_z",
                                               "blocks.1.hook_attn_out"}));
    const std::vector<int64_t> per_head{2, 9, 2, 3}, model{2, 9, 6};
    EXPECT_EQ(shapes, (std::vector<std::vector<int64_t>>{per_head, per_head, per_head, per_head, per_head, model}));
    EXPECT_EQ(registry.layer_count(), 2);
    const at::Tensor reference = closed_form_layer(*layer, x);
    EXPECT_LE(max_error(out, reference), 1e-12 * max_abs(reference));
  }
}

TEST(MesaAttention, LambdaIsLearnedThroughItsLogarithmAndEverySolverGivesTheSameGradients) {
  at::Generator g = seeded(61);
  const at::Tensor x = gaussian({2, 9, 6}, g), weights = gaussian({2, 9, 6}, g);
  std::vector<std::vector<at::Tensor>> grads_by_solver;
  for (MesaSolver solver : {MesaSolver::cholesky, MesaSolver::sherman_morrison, MesaSolver::sherman_morrison_fused,
                            MesaSolver::conjugate_gradient}) {
    hooks::HookPointRegistry registry;
    MesaAttentionOptions options = layer_options(solver);
    options.lambda_init = 1.0;
    MesaAttention layer(options, registry, 0, seeded(62));
    EXPECT_TRUE(at::allclose(layer->lambda(), at::ones({2}, kDouble), 0, 0));  // init λ = 1 exactly
    const auto named = layer->named_parameters();
    ASSERT_TRUE(named.contains("log_lambda"));
    hooks::HookPass pass(registry);
    (layer->forward(x, pass) * weights).sum().backward();
    std::vector<at::Tensor> grads;
    for (const auto& parameter : layer->parameters()) grads.push_back(parameter.grad().clone());
    EXPECT_GT(max_abs(named["log_lambda"].grad()), 1e-6);
    grads_by_solver.push_back(grads);
  }
  for (size_t s = 1; s < grads_by_solver.size(); ++s)
    for (size_t i = 0; i < grads_by_solver[0].size(); ++i)
      EXPECT_LE(max_error(grads_by_solver[s][i], grads_by_solver[0][i]), 1e-10 * max_abs(grads_by_solver[0][i]))
          << "solver " << s << " parameter " << i;
}

TEST(MesaAttention, AFixedLambdaIsABufferNotAParameter) {
  hooks::HookPointRegistry registry;
  MesaAttentionOptions options = layer_options(MesaSolver::cholesky);
  options.fixed_lambda = 3.0;
  MesaAttention layer(options, registry, 0, seeded(71));
  EXPECT_FALSE(layer->named_parameters().contains("log_lambda"));
  EXPECT_EQ(layer->parameters().size(), 4u);
  EXPECT_TRUE(at::equal(layer->lambda(), at::full({2}, 3.0, kDouble)));
  at::Generator g = seeded(72);
  const at::Tensor x = gaussian({1, 5, 6}, g);
  hooks::HookPass pass(registry);
  const at::Tensor reference = closed_form_layer(*layer, x);
  EXPECT_LE(max_error(layer->forward(x, pass), reference), 1e-12 * max_abs(reference));
}

// The in-context regression layout: the last token queries the ridge fit on the tokens before it.
TEST(MesaAttention, AQueryOnlyLastPositionReadsTheFitOnTheContextBeforeIt) {
  at::Generator g = seeded(75);
  const at::Tensor x = gaussian({2, 7, 6}, g);
  hooks::HookPointRegistry causal_registry, query_registry;
  MesaAttentionOptions options = layer_options(MesaSolver::sherman_morrison_fused);
  MesaAttention causal(options, causal_registry, 0, seeded(76));
  options.last_position_is_query = true;
  MesaAttention query(options, query_registry, 0, seeded(76));
  hooks::HookPass causal_pass(causal_registry), query_pass(query_registry);
  const at::Tensor causal_out = causal->forward(x, causal_pass), query_out = query->forward(x, query_pass);
  EXPECT_TRUE(at::allclose(query_out.narrow(1, 0, 6), causal_out.narrow(1, 0, 6), 1e-13, 0));

  const int64_t h = options.heads, dh = 3;
  auto heads = [&](const at::Tensor& w) { return x.matmul(w.t()).view({2, 7, h, dh}).transpose(1, 2); };
  const at::Tensor q = heads(query->w_q()), k = heads(query->w_k()), v = heads(query->w_v());
  const at::Tensor s = v.narrow(2, 0, 6).transpose(-1, -2).matmul(k.narrow(2, 0, 6));
  const at::Tensor z = s.matmul(at::inverse(regularised_gram(k, query->lambda(), 5)))
                           .matmul(q.select(2, 6).unsqueeze(-1)).squeeze(-1);  // [b, h, dh]
  const at::Tensor reference = z.reshape({2, h * dh}).matmul(query->w_o().t());
  const at::Tensor last = query_out.select(1, 6);
  EXPECT_LE(max_error(last, reference), 1e-12 * max_abs(reference));
  EXPECT_GT(max_error(causal_out.select(1, 6), reference), 1e-3 * max_abs(reference));
}

TEST(MesaAttention, HooksCanReplaceTheSolveAndTheReadout) {
  hooks::HookPointRegistry registry;
  MesaAttention layer(layer_options(MesaSolver::sherman_morrison_fused), registry, 0, seeded(81));
  at::Generator g = seeded(82);
  const at::Tensor x = gaussian({1, 4, 6}, g);
  hooks::HookPass plain(registry);
  const at::Tensor out = layer->forward(x, plain);

  hooks::HookPass doubled(registry);
  doubled.add(registry.resolve("blocks.0.attn.hook_q_tilde"),
              [](const at::Tensor& v, const hooks::HookContext&) -> std::optional<at::Tensor> { return v * 2; });
  EXPECT_LE(max_error(layer->forward(x, doubled), out * 2), 1e-14 * max_abs(out));  // z is linear in q̃

  hooks::HookPass zeroed(registry);
  zeroed.add(registry.resolve("blocks.0.attn.hook_z"),
             [](const at::Tensor& v, const hooks::HookContext&) -> std::optional<at::Tensor> { return at::zeros_like(v); });
  EXPECT_EQ(max_abs(layer->forward(x, zeroed)), 0.0);
}

TEST(MesaAttention, WeightsComeFromTheGivenGenerator) {
  hooks::HookPointRegistry a, b, c;
  MesaAttention first(layer_options(MesaSolver::cholesky), a, 0, seeded(91));
  MesaAttention same(layer_options(MesaSolver::cholesky), b, 0, seeded(91));
  MesaAttention other(layer_options(MesaSolver::cholesky), c, 0, seeded(92));
  EXPECT_TRUE(at::equal(first->w_q(), same->w_q()));
  EXPECT_TRUE(at::equal(first->w_o(), same->w_o()));
  EXPECT_FALSE(at::equal(first->w_q(), other->w_q()));
}

TEST(MesaAttention, BadOptionsAndInputsAreInputErrors) {
  auto build = [](MesaAttentionOptions options) {
    hooks::HookPointRegistry registry;
    MesaAttention layer(options, registry, 0, seeded(1));
  };
  const MesaAttentionOptions good = layer_options(MesaSolver::cholesky);
  for (double lambda : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    MesaAttentionOptions options = good;
    options.fixed_lambda = lambda;
    EXPECT_THROW(build(options), InputError) << "fixed λ " << lambda;
    options = good;
    options.lambda_init = lambda;
    EXPECT_THROW(build(options), InputError) << "initial λ " << lambda;
  }
  MesaAttentionOptions options = good;
  options.heads = 4;  // does not divide 6
  try {
    build(options);
    FAIL() << "4 heads accepted for d_model 6";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "mesa layer 0: 4 heads do not divide d_model 6 (set d_head explicitly)");
  }
  options.d_head = 2;  // explicit head size: fine
  EXPECT_NO_THROW(build(options));
  options = good;
  options.d_model = 0;
  EXPECT_THROW(build(options), InputError);
  EXPECT_THROW(mesa_solver_from_name("newton"), InputError);

  hooks::HookPointRegistry registry;
  MesaAttention layer(good, registry, 0, seeded(2));
  hooks::HookPass pass(registry);
  at::Generator g = seeded(3);
  at::Tensor x = gaussian({1, 4, 6}, g);
  EXPECT_NO_THROW(layer->forward(x, pass));
  x[0][2][1] = std::nan("");
  try {
    layer->forward(x, pass);
    FAIL() << "NaN input accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "mesa layer 0: input holds NaN or infinite values");
  }
  EXPECT_THROW(layer->forward(gaussian({1, 4, 5}, g), pass), InputError);
  EXPECT_THROW(layer->forward(gaussian({4, 6}, g), pass), InputError);
  EXPECT_THROW(layer->forward(gaussian({1, 4, 6}, g).to(at::kFloat), pass), InputError);
  layer->to(at::kFloat);  // the check follows the weights
  EXPECT_NO_THROW(layer->forward(gaussian({1, 4, 6}, g).to(at::kFloat), pass));
  EXPECT_THROW(layer->forward(gaussian({1, 4, 6}, g), pass), InputError);
}

}  // namespace
}  // namespace oh::icl::mesa
