// The Llama model as a hooked model (DESIGN §6): TransformerLens's hook names and shapes (GQA), the
// values at hook points against their definitions, replacement and patching, stop_at_layer, and the
// residual-stream analyses with the logit-difference identity.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "core/error.h"
#include "hooks/residual_analysis.h"
#include "hooks/run.h"
#include "lm/arch/hooked_language_model.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_writer.h"
#include "tiny_llama.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;
using hooks::CacheOptions;
using hooks::CachedRun;
using hooks::HookContext;
using hooks::NameFilter;

constexpr double kUnitRoundoff = 1.0 / (1 << 24);  // float32

/// Higham's γ_k = k·u / (1 − k·u): the relative error bound of a k-term float32 sum or dot product.
double gamma(int64_t k) { return k * kUnitRoundoff / (1 - k * kUnitRoundoff); }

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

class HookedLlamaTest : public ::testing::Test {
 protected:
  static constexpr int kLayers = 2;

  void SetUp() override {
    if (!OH_HOOK_POINTS) GTEST_SKIP() << "hook points compiled out (OH_HOOK_POINTS=OFF)";
    dir_ = fs::temp_directory_path() / ("oh_hooked_llama_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "gqa.gguf").string();
    testing::TinyLlamaShape shape;  // 32 wide, 4 query heads sharing 2 KV heads, 64 MLP units
    shape.n_layer = kLayers;
    shape.weight_std = 0.3f;     // sharp attention, so position and masking errors show
    shape.random_norms = true;   // a dropped norm weight shows
    testing::write_tiny_llama(path_, testing::numbered_vocabulary(300), shape, 11);
    model_ = load_hooked_model(path_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  /// Two sequences of 6 tokens, [2, 6].
  static at::Tensor batch() {
    return at::tensor(std::vector<int64_t>{1, 17, 299, 42, 7, 100, 5, 250, 3, 3, 181, 64}, at::kLong).view({2, 6});
  }

  /// A copy of the model with tensor `name` zeroed.
  std::string with_zeroed(const std::string& name) {
    const GgufFile file = GgufFile::open(path_);
    GgufWriter writer;
    for (const auto& [key, value] : file.metadata()) writer.set(key, value);
    bool found = false;
    for (const auto& info : file.tensors()) {
      std::vector<float> values = file.dequantized(info);
      if (info.name == name) {
        std::fill(values.begin(), values.end(), 0.0f);
        found = true;
      }
      writer.add_tensor(info.name, info.shape(), values, info.type);
    }
    EXPECT_TRUE(found) << name;
    const std::string path = (dir_ / ("zeroed_" + name + ".gguf")).string();
    writer.write(path);
    return path;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<HookedLanguageModel> model_;
};

TEST_F(HookedLlamaTest, DeclaresTransformerLensNamesInForwardOrderWithTheirShapes) {
  const int64_t b = 2, p = 6, d = 32, h = 4, h_kv = 2, dh = 8, ff = 64;
  using Shape = std::vector<int64_t>;
  const std::vector<std::pair<std::string, Shape>> block = {
      {"hook_resid_pre", {b, p, d}},           {"ln1.hook_scale", {b, p, 1}},
      {"ln1.hook_normalized", {b, p, d}},      {"attn.hook_q", {b, p, h, dh}},
      {"attn.hook_k", {b, p, h_kv, dh}},       {"attn.hook_v", {b, p, h_kv, dh}},
      {"attn.hook_rot_q", {b, p, h, dh}},      {"attn.hook_rot_k", {b, p, h_kv, dh}},
      {"attn.hook_attn_scores", {b, h, p, p}}, {"attn.hook_pattern", {b, h, p, p}},
      {"attn.hook_z", {b, p, h, dh}},          {"attn.hook_result", {b, p, h, d}},
      {"hook_attn_out", {b, p, d}},            {"hook_resid_mid", {b, p, d}},
      {"ln2.hook_scale", {b, p, 1}},           {"ln2.hook_normalized", {b, p, d}},
      {"mlp.hook_pre", {b, p, ff}},            {"mlp.hook_pre_linear", {b, p, ff}},
      {"mlp.hook_post", {b, p, ff}},           {"hook_mlp_out", {b, p, d}},
      {"hook_resid_post", {b, p, d}}};
  std::vector<std::pair<std::string, Shape>> expected = {{"hook_embed", {b, p, d}}};
  for (int l = 0; l < kLayers; ++l)
    for (const auto& [name, shape] : block) expected.push_back({"blocks." + std::to_string(l) + "." + name, shape});
  expected.push_back({"ln_final.hook_scale", {b, p, 1}});
  expected.push_back({"ln_final.hook_normalized", {b, p, d}});

  const hooks::HookPointRegistry& registry = model_->hook_points();
  ASSERT_EQ(registry.size(), expected.size());
  EXPECT_EQ(model_->n_layers(), kLayers);
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  ASSERT_EQ(run.cache.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, shape] = expected[i];
    EXPECT_EQ(registry.point(static_cast<hooks::HookId>(i)).name, name);
    EXPECT_EQ(run.cache.entries()[i].first, name);
    EXPECT_EQ(run.cache[name].sizes().vec(), shape) << name;
    const bool per_query = name.find("hook_attn_scores") != std::string::npos || name.find("hook_pattern") != std::string::npos;
    EXPECT_EQ(registry.point(registry.resolve(name)).position_dim, per_query ? 2 : 1) << name;
  }
  EXPECT_EQ(run.output.sizes().vec(), (Shape{b, p, 300}));
}

TEST_F(HookedLlamaTest, HookValuesMatchTheirDefinitions) {
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  const hooks::ActivationCache& c = run.cache;
  const double eps = 1e-5;
  const double tight = 1e-5;  // a few float32 roundings of O(1) values
  for (int l = 0; l < kLayers; ++l) {
    auto point = [&](const std::string& name) { return c["blocks." + std::to_string(l) + "." + name]; };
    // RMSNorm: scale = sqrt(mean(x²) + eps) and normalized = x / scale, before the weight.
    const at::Tensor x = point("hook_resid_pre");
    EXPECT_LT(max_abs(point("ln1.hook_scale") - (x.pow(2).mean(-1, true) + eps).sqrt()), tight * max_abs(point("ln1.hook_scale")));
    EXPECT_LT(max_abs(point("ln1.hook_normalized") - x / point("ln1.hook_scale")), tight);
    // Rotation by angle 0 at position 0; rotary keeps each pair's norm, so each head vector's norm.
    EXPECT_TRUE(at::allclose(point("attn.hook_rot_q").select(1, 0), point("attn.hook_q").select(1, 0)));
    EXPECT_TRUE(at::allclose(point("attn.hook_rot_k").norm(2, -1), point("attn.hook_k").norm(2, -1), 1e-5, 1e-6));
    // Causal: scores above the diagonal are -inf, patterns there 0 and each row sums to 1.
    const at::Tensor above = at::ones({6, 6}, at::kBool).triu(1);
    EXPECT_TRUE(at::all(point("attn.hook_attn_scores").masked_select(above) == -std::numeric_limits<float>::infinity()).item<bool>());
    EXPECT_EQ(point("attn.hook_pattern").masked_select(above).abs().max().item<float>(), 0.0f);
    EXPECT_LT(max_abs(point("attn.hook_pattern").sum(-1) - 1), tight);
    // Scores are the scaled dot products of rotated queries with the KV head their group reads.
    const at::Tensor q = point("attn.hook_rot_q").transpose(1, 2), k = point("attn.hook_rot_k").transpose(1, 2);
    const at::Tensor scores = at::matmul(q, k.repeat_interleave(2, 1).transpose(2, 3)) / std::sqrt(8.0);
    EXPECT_LT(max_abs((scores - point("attn.hook_attn_scores")).masked_fill(above, 0)), tight * max_abs(scores));
    // z is the pattern applied to the values of the query head's KV head (head 3 reads KV head 1).
    const at::Tensor z3 = at::matmul(point("attn.hook_pattern").select(1, 3), point("attn.hook_v").select(2, 1));
    EXPECT_LT(max_abs(z3 - point("attn.hook_z").select(2, 3)), tight * max_abs(z3));
    // attn_out is the sum of the per-head results; the residual adds the sublayer outputs.
    EXPECT_LT(max_abs(point("attn.hook_result").sum(2) - point("hook_attn_out")), tight * max_abs(point("hook_attn_out")));
    EXPECT_TRUE(at::equal(point("hook_resid_mid"), x + point("hook_attn_out")));
    EXPECT_TRUE(at::equal(point("mlp.hook_post"), at::silu(point("mlp.hook_pre")) * point("mlp.hook_pre_linear")));
    EXPECT_TRUE(at::equal(point("hook_resid_post"), point("hook_resid_mid") + point("hook_mlp_out")));
    if (l + 1 < kLayers) {
      EXPECT_TRUE(at::equal(c["blocks." + std::to_string(l + 1) + ".hook_resid_pre"], point("hook_resid_post")));
    }
  }
}

TEST_F(HookedLlamaTest, CachingDoesNotChangeLogitsAndBatchesMatchSingleSequences) {
  const at::Tensor ids = batch();
  const at::Tensor plain = model_->forward(ids);
  // Every point but the opt-in hook_result: the same computation, bit for bit.
  CacheOptions options;
  options.names = NameFilter::matching([](const std::string& n) { return n.find("hook_result") == std::string::npos; });
  EXPECT_TRUE(at::equal(hooks::run_with_cache(*model_, ids, options).output, plain));
  // With hook_result the output projection is summed per head: float32 reassociation only.
  const double scale = std::max(1.0, max_abs(plain));
  EXPECT_LT(max_abs(hooks::run_with_cache(*model_, ids).output - plain), 1e-5 * scale);
  // The command line's LanguageModel::logits is the same forward pass on a batch of one.
  for (int64_t row = 0; row < 2; ++row) {
    const at::Tensor one = ids.select(0, row);
    const LogitsMatrix logits = model_->logits(std::vector<int64_t>(one.data_ptr<int64_t>(), one.data_ptr<int64_t>() + one.numel()));
    const at::Tensor single = at::from_blob(const_cast<float*>(logits.values.data()), {6, 300}, at::kFloat);
    EXPECT_TRUE(at::equal(single, model_->forward(one.unsqueeze(0)).squeeze(0)));
    // Batched matmuls may block differently: float32 reassociation only.
    EXPECT_LT(max_abs(single - plain.select(0, row)), 1e-5 * scale);
  }
}

TEST_F(HookedLlamaTest, ZeroAblatingAPatternEqualsZeroingThatLayersOutputWeight) {
  auto zero = [](const at::Tensor& v, const HookContext&) -> std::optional<at::Tensor> { return at::zeros_like(v); };
  const at::Tensor ablated = hooks::run_with_hooks(*model_, batch(), {{"blocks.1.attn.hook_pattern", zero}});
  const auto without_wo = load_hooked_model(with_zeroed("blk.1.attn_output.weight"));
  EXPECT_TRUE(at::equal(ablated, without_wo->forward(batch())));
  EXPECT_GT(max_abs(ablated - model_->forward(batch())), 1e-2);  // the layer mattered
}

TEST_F(HookedLlamaTest, PatchingEveryResidPreFromACleanRunReproducesItsLogits) {
  const at::Tensor clean = batch(), corrupted = (batch() * 7 + 3).remainder(300);
  CacheOptions options;
  options.names = NameFilter::matching([](const std::string& n) { return n.find("hook_resid_pre") != std::string::npos; });
  const CachedRun source = hooks::run_with_cache(*model_, clean, options);
  auto patch = [&](const at::Tensor&, const HookContext& c) -> std::optional<at::Tensor> { return source.cache[c.point.name]; };
  const at::Tensor patched = hooks::run_with_hooks(*model_, corrupted, {{options.names, patch}});
  EXPECT_TRUE(at::equal(patched, source.output));
  EXPECT_GT(max_abs(model_->forward(corrupted) - source.output), 1e-2);
}

TEST_F(HookedLlamaTest, StoppingAtALayerReturnsTheResidualEnteringIt) {
  const CachedRun full = hooks::run_with_cache(*model_, batch());
  for (int layer = 0; layer <= kLayers; ++layer) {
    CacheOptions options;
    options.stop_at_layer = layer;
    const CachedRun stopped = hooks::run_with_cache(*model_, batch(), options);
    const std::string entering = layer < kLayers ? "blocks." + std::to_string(layer) + ".hook_resid_pre"
                                                 : "blocks." + std::to_string(kLayers - 1) + ".hook_resid_post";
    EXPECT_TRUE(at::equal(stopped.output, full.cache[entering])) << layer;
    EXPECT_EQ(stopped.cache.contains(entering), layer == kLayers) << layer;  // nothing of the stop layer
  }
}

TEST_F(HookedLlamaTest, ReplacingTheFinalScaleRescalesTheLogits) {
  // Logits are linear in ln_final.hook_normalized, which is the residual divided by hook_scale.
  auto halve = [](const at::Tensor& v, const HookContext&) -> std::optional<at::Tensor> { return v * 2; };
  const at::Tensor plain = model_->forward(batch());
  const at::Tensor halved = hooks::run_with_hooks(*model_, batch(), {{"ln_final.hook_scale", halve}});
  EXPECT_LT(max_abs(halved * 2 - plain), 1e-5 * max_abs(plain));
}

TEST_F(HookedLlamaTest, LogitDifferenceIdentityWithCachedScale) {
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  const hooks::OutputHead head = model_->output_head();
  const hooks::PositionSlice last = hooks::PositionSlice::only(-1);
  const hooks::ResidualStack parts = hooks::decompose_resid(run.cache, kLayers, -1, last);
  EXPECT_EQ(parts.labels, (std::vector<std::string>{"embed", "0_attn_out", "0_mlp_out", "1_attn_out", "1_mlp_out"}));
  const at::Tensor normed = hooks::apply_ln(parts.components, run.cache, head, hooks::LensConvention::CachedScale, last);
  for (int64_t row = 0; row < 2; ++row) {
    const at::Tensor final_logits = run.output.select(0, row).select(0, -1);
    const int64_t a = final_logits.argmax().item<int64_t>(), b = final_logits.argmin().item<int64_t>();
    const at::Tensor attrs = hooks::logit_attrs(normed, head, a, b);  // [5, b, 1]
    ASSERT_EQ(attrs.sizes().vec(), (std::vector<int64_t>{5, 2, 1}));
    const double decomposed = attrs.select(1, row).sum().item<double>() + hooks::logit_bias(head, a, b);
    const double real = final_logits[a].item<double>() - final_logits[b].item<double>();
    // Exact in real arithmetic. Float32 error: the residual sum of 5 components, the d-term dot
    // products of both logits and of the decomposition, and the scale's reciprocal, each bounded by
    // γ_k times the sum of the absolute terms |c_i,j · w_j · W_U[j, a|b] / scale|.
    const at::Tensor absolute = parts.components.select(1, row).abs() / run.cache["ln_final.hook_scale"].select(0, row).select(0, -1) *
                                head.norm_weight.abs();
    const double terms = at::matmul(absolute, head.W_U.select(1, a).abs() + head.W_U.select(1, b).abs()).sum().item<double>();
    const double bound = gamma(32 + 5 + 4) * terms;
    EXPECT_LE(std::abs(decomposed - real), bound) << "row " << row << ": " << decomposed << " vs " << real;
    EXPECT_GT(std::abs(real), 100 * bound);  // the identity is not vacuous
  }
}

TEST_F(HookedLlamaTest, AccumulatedAndDecomposedResidualsAddUp) {
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  const hooks::OutputHead head = model_->output_head();
  const hooks::ResidualStack accumulated = hooks::accumulated_resid(run.cache, kLayers, -1, true);
  EXPECT_EQ(accumulated.labels, (std::vector<std::string>{"0_pre", "0_mid", "1_pre", "1_mid", "final_post"}));
  CacheOptions stop;
  stop.stop_at_layer = kLayers;
  const at::Tensor lnf_input = hooks::run_with_cache(*model_, batch(), stop).output;
  EXPECT_TRUE(at::equal(accumulated.components.select(0, -1), lnf_input));
  EXPECT_EQ(hooks::accumulated_resid(run.cache, kLayers, 1).labels, (std::vector<std::string>{"0_pre", "1_pre"}));

  // The logit lens, `recompute`, on the final residual is the model's own final norm and unembedding.
  const at::Tensor lens = hooks::apply_ln(accumulated.components, run.cache, head, hooks::LensConvention::Recompute);
  const at::Tensor lens_logits = at::matmul(lens.select(0, -1), head.W_U);
  EXPECT_LT(max_abs(lens_logits - run.output), 1e-5 * max_abs(run.output));
  // `cached_scale` on the final residual equals `recompute` there (same statistics).
  const at::Tensor cached = hooks::apply_ln(accumulated.components, run.cache, head, hooks::LensConvention::CachedScale);
  EXPECT_LT(max_abs(cached.select(0, -1) - lens.select(0, -1)), 1e-5 * max_abs(lens));

  // decompose_resid sums to the residual entering each layer (float32 sums of 1 + 2l terms).
  for (int layer = 0; layer <= kLayers; ++layer) {
    const hooks::ResidualStack parts = hooks::decompose_resid(run.cache, kLayers, layer);
    ASSERT_EQ(parts.components.size(0), 1 + 2 * layer);
    const at::Tensor target = layer < kLayers ? run.cache["blocks." + std::to_string(layer) + ".hook_resid_pre"] : lnf_input;
    const at::Tensor bound = gamma(parts.components.size(0)) * parts.components.abs().sum(0);
    EXPECT_TRUE(at::all((parts.components.sum(0) - target).abs() <= bound).item<bool>()) << layer;
  }
}

TEST_F(HookedLlamaTest, HeadResultsSumToTheAttentionOutput) {
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  const hooks::ResidualStack heads = hooks::stack_head_results(run.cache, kLayers);
  ASSERT_EQ(heads.components.sizes().vec(), (std::vector<int64_t>{8, 2, 6, 32}));
  EXPECT_EQ(heads.labels.front(), "L0H0");
  EXPECT_EQ(heads.labels.back(), "L1H3");
  for (int l = 0; l < kLayers; ++l) {
    const at::Tensor sum = heads.components.narrow(0, 4 * l, 4).sum(0);
    const at::Tensor& attn_out = run.cache["blocks." + std::to_string(l) + ".hook_attn_out"];
    EXPECT_LT(max_abs(sum - attn_out), gamma(4) * heads.components.narrow(0, 4 * l, 4).abs().sum(0).max().item<double>());
    // And per-head results agree with the unsplit projection used when hook_result is not armed
    // (a 32-term dot product against 8-term ones summed over 4 heads: float32 reassociation).
    CacheOptions options;
    options.names = NameFilter("blocks." + std::to_string(l) + ".hook_attn_out");
    const at::Tensor unsplit = hooks::run_with_cache(*model_, batch(), options).cache.entries().front().second;
    EXPECT_LT(max_abs(unsplit - attn_out), 1e-5 * max_abs(attn_out));
  }
  // Head h's result comes from head h's z alone.
  auto zero_head_2 = [](const at::Tensor& z, const HookContext&) -> std::optional<at::Tensor> {
    at::Tensor out = z.clone();
    out.select(2, 2).zero_();
    return out;
  };
  hooks::ActivationCache ablated;
  auto keep = [&](const at::Tensor& v, const HookContext& c) -> std::optional<at::Tensor> {
    ablated.put(c.point.name, v);
    return std::nullopt;
  };
  hooks::run_with_hooks(*model_, batch(), {{"blocks.0.attn.hook_z", zero_head_2}, {"blocks.0.attn.hook_result", keep}});
  const at::Tensor& result = ablated["blocks.0.attn.hook_result"];
  EXPECT_EQ(max_abs(result.select(2, 2)), 0.0);
  for (int64_t h : {0, 1, 3}) EXPECT_TRUE(at::equal(result.select(2, h), run.cache["blocks.0.attn.hook_result"].select(2, h))) << h;
}

TEST_F(HookedLlamaTest, BadInputIsAnInputError) {
  EXPECT_THROW(model_->forward(at::tensor(std::vector<int64_t>{1, 2, 3}, at::kLong)), InputError);  // not [b, p]
  EXPECT_THROW(model_->forward(at::ones({1, 3}, at::kFloat)), InputError);
  EXPECT_THROW(model_->forward(at::full({1, 3}, 300, at::kLong)), InputError);
  EXPECT_THROW(model_->forward(at::full({1, 3}, -1, at::kLong)), InputError);
  CacheOptions residuals;
  residuals.names = NameFilter::matching([](const std::string& n) {
    return n.find("resid") != std::string::npos || n.find("ln_final") != std::string::npos;
  });
  const CachedRun run = hooks::run_with_cache(*model_, batch(), residuals);
  EXPECT_THROW(hooks::accumulated_resid(run.cache, kLayers, 3), InputError);
  EXPECT_THROW(hooks::stack_head_results(run.cache, kLayers), InputError);  // hook_result was not cached
  const hooks::OutputHead head = model_->output_head();
  const at::Tensor stack = hooks::accumulated_resid(run.cache, kLayers).components;
  EXPECT_THROW(hooks::logit_attrs(stack, head, 300), InputError);
  EXPECT_THROW(hooks::logit_attrs(stack, head, 1, -1), InputError);
  EXPECT_EQ(hooks::logit_bias(head, 1, 2), 0.0);  // Llama has no biases
}

}  // namespace
}  // namespace oh::lm
