// The fused LSA query readout against the layer written op by op (q, k, v, scores, z, projection,
// as in the paper) and differentiated by autograd: outputs and gradients in double, and 100 float
// Adam steps of DESIGN §7's default recipe taken both ways; LsaModel with its switch on and off.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>

#include <optional>
#include <vector>

#include "core/error.h"
#include "hooks/hook_pass.h"
#include "icl/kernels/lsa_query_readout.h"
#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"
#include "icl/train_config.h"

namespace oh::icl::kernels {
namespace {

using icl::LsaConfig;
using icl::LsaLayerWeights;
using icl::LsaModel;

struct Weights {
  at::Tensor query, key, value, projection;
  std::vector<at::Tensor> list() const { return {query, key, value, projection}; }
};

Weights random_weights(int64_t heads, int64_t key_dim, int64_t dim, double std, uint64_t seed, at::ScalarType dtype) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto options = at::TensorOptions().dtype(dtype);
  Weights w{at::normal(0.0, std, {heads, key_dim, dim}, gen, options), at::normal(0.0, std, {heads, key_dim, dim}, gen, options),
            at::normal(0.0, std, {heads, key_dim, dim}, gen, options), at::normal(0.0, std, {dim, heads * key_dim}, gen, options)};
  for (at::Tensor* t : {&w.query, &w.key, &w.value, &w.projection}) t->set_requires_grad(true);
  return w;
}

/// The query row of one LSA layer, op by op: keys and values from the N context tokens, raw scores.
at::Tensor op_by_op_readout(const at::Tensor& tokens, const Weights& w) {
  const int64_t n = tokens.size(1) - 1;
  const at::Tensor context = tokens.narrow(1, 0, n);
  const at::Tensor e_q = tokens.select(1, n);
  const at::Tensor q = at::einsum("hkd,bd->bhk", {w.query, e_q});
  const at::Tensor k = at::einsum("hkd,bnd->bhnk", {w.key, context});
  const at::Tensor v = at::einsum("hkd,bnd->bhnk", {w.value, context});
  const at::Tensor scores = at::einsum("bhk,bhnk->bhn", {q, k});
  const at::Tensor z = at::einsum("bhn,bhnk->bhk", {scores, v});
  return e_q + at::matmul(z.reshape({tokens.size(0), -1}), w.projection.t());
}

double max_rel_diff(const at::Tensor& actual, const at::Tensor& expected) {
  return (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

struct Case {
  int64_t batch, context, dim, heads, key_dim;
};

TEST(LsaQueryReadout, OutputAndEveryGradientEqualTheOpByOpLayerInDouble) {
  // Several heads, key_dim ≠ D and = D, one context token: the contractions are the same algebra
  // summed in another order, so double agrees to ~1e-15 relative; 1e-12 leaves room for the sums.
  for (const Case c : {Case{9, 7, 5, 2, 3}, Case{16, 10, 11, 1, 11}, Case{4, 1, 3, 3, 4}}) {
    SCOPED_TRACE(testing::Message() << "b=" << c.batch << " N=" << c.context << " D=" << c.dim << " H=" << c.heads);
    const Weights w = random_weights(c.heads, c.key_dim, c.dim, 0.7, 11, at::kDouble);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
    const at::Tensor tokens = at::normal(0.0, 1.0, {c.batch, c.context + 1, c.dim}, gen, at::TensorOptions().dtype(at::kDouble)).requires_grad_();
    const at::Tensor upstream = at::normal(0.0, 1.0, {c.batch, c.dim}, gen, at::TensorOptions().dtype(at::kDouble));

    std::vector<at::Tensor> inputs = w.list();
    inputs.insert(inputs.begin(), tokens);
    const at::Tensor fused = lsa_query_readout(tokens, w.query, w.key, w.value, w.projection);
    const at::Tensor reference = op_by_op_readout(tokens, w);
    EXPECT_LT(max_rel_diff(fused, reference), 1e-12);
    const auto fused_grads = torch::autograd::grad({(fused * upstream).sum()}, inputs);
    const auto reference_grads = torch::autograd::grad({(reference * upstream).sum()}, inputs);
    const char* names[] = {"tokens", "query", "key", "value", "projection"};
    for (size_t i = 0; i < inputs.size(); ++i) EXPECT_LT(max_rel_diff(fused_grads[i], reference_grads[i]), 1e-12) << names[i];
  }
}

TEST(LsaQueryReadout, NonContiguousTokensAndTokensWithoutGradient) {
  const Weights w = random_weights(2, 4, 6, 0.5, 3, at::kDouble);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(9);
  const at::Tensor wide = at::normal(0.0, 1.0, {8, 6, 12}, gen, at::TensorOptions().dtype(at::kDouble));
  const at::Tensor tokens = wide.narrow(2, 3, 6);  // a strided view
  ASSERT_FALSE(tokens.is_contiguous());
  const at::Tensor fused = lsa_query_readout(tokens, w.query, w.key, w.value, w.projection);
  const at::Tensor reference = op_by_op_readout(tokens, w);
  EXPECT_LT(max_rel_diff(fused, reference), 1e-12);
  const auto fused_grads = torch::autograd::grad({fused.pow(2).sum()}, w.list());
  const auto reference_grads = torch::autograd::grad({reference.pow(2).sum()}, w.list());
  for (size_t i = 0; i < fused_grads.size(); ++i) EXPECT_LT(max_rel_diff(fused_grads[i], reference_grads[i]), 1e-12);
}

TEST(LsaQueryReadout, SecondLayerGradientFlowsThroughTheFirst) {
  // The readout fed by an op-by-op layer's full output: the tokens' gradient must carry through.
  const Weights first = random_weights(1, 5, 5, 0.5, 21, at::kDouble), second = random_weights(1, 5, 5, 0.5, 22, at::kDouble);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(4);
  const at::Tensor x = at::normal(0.0, 1.0, {6, 4, 5}, gen, at::TensorOptions().dtype(at::kDouble));
  const auto layer = [&](const at::Tensor& e) {  // every row's output: the readout applied with each row as the query
    std::vector<at::Tensor> rows;
    for (int64_t j = 0; j < e.size(1); ++j)
      rows.push_back(op_by_op_readout(at::cat({e.narrow(1, 0, e.size(1) - 1), e.narrow(1, j, 1)}, 1), first));
    return at::stack(rows, 1);
  };
  const at::Tensor hidden = layer(x);
  const at::Tensor fused = lsa_query_readout(hidden, second.query, second.key, second.value, second.projection).sum();
  const at::Tensor reference = op_by_op_readout(hidden, second).sum();
  const auto fused_grads = torch::autograd::grad({fused}, first.list(), {}, /*retain_graph=*/true);
  const auto reference_grads = torch::autograd::grad({reference}, first.list());
  for (size_t i = 0; i < fused_grads.size(); ++i) EXPECT_LT(max_rel_diff(fused_grads[i], reference_grads[i]), 1e-12);
}

/// DESIGN §7's default recipe (TrainConfig's defaults: d = N = 10, 1 head, batch 2048, Adam) for
/// `steps` float steps without schedule or clipping; the per-step losses.
struct Trained {
  std::vector<double> losses;
  double weight_change;  // largest |final − initial| entry: the steps did move the weights
};

Trained train(bool fused, int steps) {
  const TrainConfig c;
  const LinearTaskConfig& task = c.task_config;
  const Weights w = random_weights(c.heads, c.head_dim(), task.token_dim(), c.init_std, c.seed, at::kFloat);
  const at::Tensor initial = at::cat({w.query.detach().flatten(), w.key.detach().flatten(), w.value.detach().flatten(), w.projection.detach().flatten()});
  torch::optim::Adam adam(w.list(), torch::optim::AdamOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.adam_eps));
  Trained result;
  for (int step = 0; step < steps; ++step) {
    const LinearTasks batch = sample_linear_tasks(task, c.batch, derive_seed(c.seed, static_cast<uint64_t>(step) + 1));
    const at::Tensor tokens = make_tokens(batch);
    const at::Tensor out = fused ? lsa_query_readout(tokens, w.query, w.key, w.value, w.projection) : op_by_op_readout(tokens, w);
    const at::Tensor loss = 0.5 * (-out.select(1, task.token_dim() - 1) - batch.y_test).pow(2).mean();
    adam.zero_grad();
    loss.backward();
    adam.step();
    result.losses.push_back(loss.item<double>());
  }
  const at::Tensor final = at::cat({w.query.detach().flatten(), w.key.detach().flatten(), w.value.detach().flatten(), w.projection.detach().flatten()});
  result.weight_change = (final - initial).abs().max().item<double>();
  return result;
}

TEST(LsaQueryReadout, HundredFloatAdamStepsKeepTheLossWithin1e5Relative) {
  // Issue 4 item 11's criterion. Float sums in another order differ by ~1e-7 relative per step;
  // Adam's normalised steps could amplify that, which is what 100 steps would show.
  const Trained fused = train(true, 100), reference = train(false, 100);
  double worst = 0;
  for (size_t s = 0; s < fused.losses.size(); ++s)
    worst = std::max(worst, std::abs(fused.losses[s] - reference.losses[s]) / std::abs(reference.losses[s]));
  EXPECT_LT(worst, 1e-5);
  // Adam moves an entry by up to lr per step: after 100 steps of lr 1e-3 the weights have travelled.
  EXPECT_GT(fused.weight_change, 0.02);
  std::printf("worst relative loss difference over 100 steps: %.3g; largest weight change %.3g\n", worst, fused.weight_change);
}

TEST(LsaModelFusedReadout, EqualsTheOpByOpStackAndHooksStillSeeTheIntermediates) {
  // Two layers (the first always op by op), two heads of width 4, double: same predictions and
  // weight gradients with the switch on and off; an armed hook on the last layer forces op by op.
  LsaConfig config;
  config.token_dim = 6;
  config.layers = 2;
  config.heads = 2;
  config.key_dim = 4;
  const LsaModel fused_model = LsaModel::random(config, 0.4, 3);
  std::vector<LsaLayerWeights> copies;
  for (const LsaLayerWeights& w : fused_model.weights())
    copies.push_back({w.query.to(at::kDouble).requires_grad_(), w.key.to(at::kDouble).requires_grad_(),
                      w.value.to(at::kDouble).requires_grad_(), w.projection.to(at::kDouble).requires_grad_()});
  LsaConfig ops_config = config;
  ops_config.fused_readout = false;
  const LsaModel fused(config, copies), ops(ops_config, copies);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(8);
  const at::Tensor tokens = at::normal(0.0, 1.0, {12, 5, 6}, gen, at::TensorOptions().dtype(at::kDouble));

  const at::Tensor y_fused = fused.forward(tokens), y_ops = ops.forward(tokens);
  EXPECT_LT(max_rel_diff(y_fused, y_ops), 1e-12);
  const auto g_fused = torch::autograd::grad({y_fused.pow(2).sum()}, fused.parameters());
  const auto g_ops = torch::autograd::grad({y_ops.pow(2).sum()}, ops.parameters());
  for (size_t i = 0; i < g_fused.size(); ++i) EXPECT_LT(max_rel_diff(g_fused[i], g_ops[i]), 1e-12) << "parameter " << i;

  hooks::HookPass pass(fused.hook_points());
  at::Tensor seen;
  pass.add(fused.hook_points().resolve("blocks.1.attn.hook_z"), [&](const at::Tensor& z, const hooks::HookContext&) -> std::optional<at::Tensor> {
    seen = z.detach().clone();
    return std::nullopt;
  });
  EXPECT_LT(max_rel_diff(fused.forward(tokens, pass), y_ops), 1e-12);
  ASSERT_TRUE(seen.defined());
  EXPECT_EQ(seen.sizes(), (at::IntArrayRef{12, 5, 2, 4}));
}

TEST(LsaQueryReadout, BadInputIsAnInputError) {
  const Weights w = random_weights(2, 3, 4, 0.5, 1, at::kFloat);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  EXPECT_THROW(lsa_query_readout(at::zeros({2, 1, 4}, options), w.query, w.key, w.value, w.projection), InputError);
  EXPECT_THROW(lsa_query_readout(at::zeros({2, 3, 5}, options), w.query, w.key, w.value, w.projection), InputError);
  EXPECT_THROW(lsa_query_readout(at::zeros({2, 3, 4}, at::TensorOptions().dtype(at::kDouble)), w.query, w.key, w.value, w.projection),
               InputError);
  EXPECT_THROW(lsa_query_readout(at::zeros({2, 3, 4}, options), w.query, w.key.narrow(1, 0, 2), w.value, w.projection), InputError);
  EXPECT_THROW(lsa_query_readout(at::zeros({2, 3, 4}, options), w.query, w.key, w.value, w.projection.t()), InputError);
}

}  // namespace
}  // namespace oh::icl::kernels
