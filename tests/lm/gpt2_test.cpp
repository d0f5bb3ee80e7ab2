// GPT-2 (issue 3 item 8): TransformerLens's hook names and shapes, hook values against their
// definitions computed from the file's weights, the same model from GGUF and from HF safetensors, the
// logit-difference identity with LayerNorm and output biases, llama.cpp's fp16 GELU table emulation, and
// bad input.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "hooks/residual_analysis.h"
#include "hooks/run.h"
#include "lm/arch/architecture_registry.h"
#include "lm/arch/gpt2.h"
#include "lm/arch/hooked_language_model.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_writer.h"
#include "lm/format/hf_gpt2_source.h"
#include "lm/format/model_source.h"
#include "tiny_gpt2.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;
using hooks::CacheOptions;
using hooks::CachedRun;
using hooks::HookContext;

constexpr double kUnitRoundoff = 1.0 / (1 << 24);  // float32
/// Higham's γ_k = k·u / (1 − k·u): the relative error bound of a k-term float32 sum or dot product.
double gamma(int64_t k) { return k * kUnitRoundoff / (1 - k * kUnitRoundoff); }

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

constexpr int kLayers = 2;
constexpr int64_t kEmbd = 32, kHeads = 4, kHeadDim = 8, kFf = 128, kContext = 128, kVocab = 933;

/// gelu_new in double: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
double gelu_new(double x) { return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))); }

class Gpt2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OH_HOOK_POINTS) GTEST_SKIP() << "hook points compiled out (OH_HOOK_POINTS=OFF)";
    dir_ = fs::temp_directory_path() / ("oh_gpt2_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = write({}, 5, "tied.gguf");
    model_ = load_hooked_model(path_);
    file_ = std::make_unique<GgufFile>(GgufFile::open(path_));
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  /// A tiny GPT-2 (2 layers, 32 wide, 4 heads, 128 MLP units, context 128) with weights large enough for
  /// sharp attention and a GELU that sees inputs of a few units.
  std::string write(testing::TinyGpt2Shape shape, uint32_t seed, const std::string& name, GgmlType type = GgmlType::F32) {
    shape.weight_std = 0.3f;
    const std::string path = (dir_ / name).string();
    testing::write_tiny_gpt2(path, testing::tiny_gpt2_vocabulary(), shape, seed, type);
    return path;
  }

  /// A tensor of the fixture's file as float32 [shape].
  at::Tensor weight(const std::string& name) const {
    const GgufTensorInfo& info = file_->tensor(name);
    std::vector<float> values = file_->dequantized(info);
    const std::vector<uint64_t> dims = info.shape();
    return at::tensor(values, at::kFloat).view(std::vector<int64_t>(dims.begin(), dims.end()));
  }

  /// Two sequences of 6 tokens, [2, 6].
  static at::Tensor batch() {
    return at::tensor(std::vector<int64_t>{932, 17, 299, 42, 7, 100, 5, 250, 3, 3, 181, 64}, at::kLong).view({2, 6});
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<HookedLanguageModel> model_;
  std::unique_ptr<GgufFile> file_;
};

TEST_F(Gpt2Test, DeclaresTransformerLensNamesInForwardOrderWithTheirShapes) {
  const int64_t b = 2, p = 6, d = kEmbd, h = kHeads, dh = kHeadDim, ff = kFf;
  using Shape = std::vector<int64_t>;
  const std::vector<std::pair<std::string, Shape>> block = {
      {"hook_resid_pre", {b, p, d}},           {"ln1.hook_scale", {b, p, 1}},        {"ln1.hook_normalized", {b, p, d}},
      {"attn.hook_q", {b, p, h, dh}},          {"attn.hook_k", {b, p, h, dh}},       {"attn.hook_v", {b, p, h, dh}},
      {"attn.hook_attn_scores", {b, h, p, p}}, {"attn.hook_pattern", {b, h, p, p}},  {"attn.hook_z", {b, p, h, dh}},
      {"attn.hook_result", {b, p, h, d}},      {"hook_attn_out", {b, p, d}},         {"hook_resid_mid", {b, p, d}},
      {"ln2.hook_scale", {b, p, 1}},           {"ln2.hook_normalized", {b, p, d}},   {"mlp.hook_pre", {b, p, ff}},
      {"mlp.hook_post", {b, p, ff}},           {"hook_mlp_out", {b, p, d}},          {"hook_resid_post", {b, p, d}}};
  std::vector<std::pair<std::string, Shape>> expected = {{"hook_embed", {b, p, d}}, {"hook_pos_embed", {b, p, d}}};
  for (int l = 0; l < kLayers; ++l)
    for (const auto& [name, shape] : block) expected.push_back({"blocks." + std::to_string(l) + "." + name, shape});
  expected.push_back({"ln_final.hook_scale", {b, p, 1}});
  expected.push_back({"ln_final.hook_normalized", {b, p, d}});

  EXPECT_EQ(model_->architecture(), "gpt2");
  EXPECT_EQ(model_->vocab_size(), kVocab);
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
  }
  EXPECT_EQ(run.output.sizes().vec(), (Shape{b, p, kVocab}));
}

TEST_F(Gpt2Test, HookValuesMatchTheirDefinitionsFromTheFilesWeights) {
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  const hooks::ActivationCache& c = run.cache;
  const double eps = 1e-5;
  const double tight = 2e-5;  // relative: a few float32 roundings, dot products of ≤ 128 terms reassociated
  auto near = [&](const at::Tensor& ours, const at::Tensor& reference, const std::string& what) {
    EXPECT_LE(max_abs(ours - reference), tight * std::max(1.0, max_abs(reference))) << what;
  };
  // Token and position embeddings are rows of the file's tensors.
  EXPECT_TRUE(at::equal(c["hook_embed"], at::embedding(weight("token_embd.weight"), batch())));
  EXPECT_TRUE(at::equal(c["hook_pos_embed"], weight("position_embd.weight").narrow(0, 0, 6).expand({2, 6, kEmbd})));
  EXPECT_TRUE(at::equal(c["blocks.0.hook_resid_pre"], c["hook_embed"] + c["hook_pos_embed"]));
  for (int l = 0; l < kLayers; ++l) {
    const std::string blk = "blk." + std::to_string(l) + ".";
    auto point = [&](const std::string& name) { return c["blocks." + std::to_string(l) + "." + name]; };
    auto linear = [&](const at::Tensor& x, const std::string& name) {
      return at::matmul(x, weight(blk + name + ".weight").t()) + weight(blk + name + ".bias");
    };
    // LayerNorm: centred, scale = sqrt(mean(centred²) + eps), normalized = centred / scale before w and b.
    for (const auto& [norm, input] : {std::pair<std::string, std::string>{"ln1", "hook_resid_pre"}, {"ln2", "hook_resid_mid"}}) {
      const at::Tensor centred = point(input) - point(input).mean(-1, true);
      near(point(norm + ".hook_scale"), (centred.pow(2).mean(-1, true) + eps).sqrt(), norm + " scale");
      near(point(norm + ".hook_normalized"), centred / point(norm + ".hook_scale"), norm + " normalized");
    }
    const at::Tensor ln1_out = point("ln1.hook_normalized") * weight(blk + "attn_norm.weight") + weight(blk + "attn_norm.bias");
    // Fused QKV: q, k, v are consecutive thirds of one projection, heads of 8 within each.
    const at::Tensor qkv = linear(ln1_out, "attn_qkv").view({2, 6, 3, kHeads, kHeadDim});
    near(point("attn.hook_q"), qkv.select(2, 0), "q");
    near(point("attn.hook_k"), qkv.select(2, 1), "k");
    near(point("attn.hook_v"), qkv.select(2, 2), "v");
    // Causal scaled dot products, softmax rows, z = pattern · v per head.
    const at::Tensor above = at::ones({6, 6}, at::kBool).triu(1);
    const at::Tensor q = point("attn.hook_q").transpose(1, 2), k = point("attn.hook_k").transpose(1, 2);
    const at::Tensor scores = at::matmul(q, k.transpose(2, 3)) / std::sqrt(static_cast<double>(kHeadDim));
    near(point("attn.hook_attn_scores").masked_fill(above, 0), scores.masked_fill(above, 0), "scores");
    EXPECT_TRUE(at::all(point("attn.hook_attn_scores").masked_select(above) == -std::numeric_limits<float>::infinity()).item<bool>());
    EXPECT_EQ(point("attn.hook_pattern").masked_select(above).abs().max().item<float>(), 0.0f);
    near(point("attn.hook_pattern").sum(-1), at::ones({2, kHeads, 6}), "pattern rows");
    near(point("attn.hook_z"), at::matmul(point("attn.hook_pattern"), point("attn.hook_v").transpose(1, 2)).transpose(1, 2), "z");
    // attn_out = W_O z + b_O; the per-head results carry no bias (TransformerLens's convention).
    near(point("hook_attn_out"), linear(point("attn.hook_z").reshape({2, 6, kEmbd}), "attn_output"), "attn_out");
    near(point("attn.hook_result").sum(2) + weight(blk + "attn_output.bias"), point("hook_attn_out"), "result");
    EXPECT_TRUE(at::equal(point("hook_resid_mid"), point("hook_resid_pre") + point("hook_attn_out")));
    // MLP: hook_pre is c_fc's output, hook_post gelu_new of it (against the formula in double).
    const at::Tensor ln2_out = point("ln2.hook_normalized") * weight(blk + "ffn_norm.weight") + weight(blk + "ffn_norm.bias");
    near(point("mlp.hook_pre"), linear(ln2_out, "ffn_up"), "mlp pre");
    const at::Tensor pre = point("mlp.hook_pre").to(at::kDouble).contiguous();
    at::Tensor expected_post = at::empty_like(pre);
    for (int64_t i = 0; i < pre.numel(); ++i) expected_post.data_ptr<double>()[i] = gelu_new(pre.data_ptr<double>()[i]);
    EXPECT_LE(max_abs(point("mlp.hook_post").to(at::kDouble) - expected_post), 8 * kUnitRoundoff * std::max(1.0, max_abs(expected_post)));
    EXPECT_GT(max_abs(pre), 3.0);  // the GELU's curved part was exercised
    near(point("hook_mlp_out"), linear(point("mlp.hook_post"), "ffn_down"), "mlp_out");
    EXPECT_TRUE(at::equal(point("hook_resid_post"), point("hook_resid_mid") + point("hook_mlp_out")));
  }
  // Final LayerNorm, then the tied unembedding (token_embd), no output bias.
  const at::Tensor lnf_out = c["ln_final.hook_normalized"] * weight("output_norm.weight") + weight("output_norm.bias");
  near(run.output, at::matmul(lnf_out, weight("token_embd.weight").t()), "logits");
}

TEST_F(Gpt2Test, BatchesMatchSingleSequencesAndCachingDoesNotChangeLogits) {
  const at::Tensor ids = batch();
  const at::Tensor plain = model_->forward(ids);
  CacheOptions options;
  options.names = hooks::NameFilter::matching([](const std::string& n) { return n.find("hook_result") == std::string::npos; });
  EXPECT_TRUE(at::equal(hooks::run_with_cache(*model_, ids, options).output, plain));
  const double scale = std::max(1.0, max_abs(plain));
  EXPECT_LT(max_abs(hooks::run_with_cache(*model_, ids).output - plain), 1e-5 * scale);  // per-head sums reassociate
  for (int64_t row = 0; row < 2; ++row) {
    const at::Tensor one = ids.select(0, row);
    const LogitsMatrix logits = model_->logits(std::vector<int64_t>(one.data_ptr<int64_t>(), one.data_ptr<int64_t>() + one.numel()));
    const at::Tensor single = at::from_blob(const_cast<float*>(logits.values.data()), {6, kVocab}, at::kFloat);
    EXPECT_TRUE(at::equal(single, model_->forward(one.unsqueeze(0)).squeeze(0)));
    EXPECT_LT(max_abs(single - plain.select(0, row)), 1e-5 * scale);
  }
}

TEST_F(Gpt2Test, StoppingAtALayerReturnsTheResidualEnteringIt) {
  const CachedRun full = hooks::run_with_cache(*model_, batch());
  for (int layer = 0; layer <= kLayers; ++layer) {
    CacheOptions options;
    options.stop_at_layer = layer;
    const at::Tensor stopped = hooks::run_with_cache(*model_, batch(), options).output;
    const std::string entering = layer < kLayers ? "blocks." + std::to_string(layer) + ".hook_resid_pre"
                                                 : "blocks." + std::to_string(kLayers - 1) + ".hook_resid_post";
    EXPECT_TRUE(at::equal(stopped, full.cache[entering])) << layer;
  }
}

TEST_F(Gpt2Test, HooksMayModifyPositionEmbeddingsInPlaceWithoutTouchingTheWeights) {
  const at::Tensor one = batch().narrow(0, 0, 1);
  const at::Tensor plain = model_->forward(one);
  auto zero_in_place = [](const at::Tensor& v, const HookContext&) -> std::optional<at::Tensor> {
    const_cast<at::Tensor&>(v).zero_();  // the value the model goes on with
    return std::nullopt;
  };
  const at::Tensor without_positions = hooks::run_with_hooks(*model_, one, {{"hook_pos_embed", zero_in_place}});
  EXPECT_GT(max_abs(without_positions - plain), 1e-2);
  EXPECT_TRUE(at::equal(model_->forward(one), plain));  // the memory-mapped weights are unchanged
}

/// `source` with metadata `key` replaced by `value` (when given) and tensor `drop` left out.
/// With `type`, every tensor is stored in that type.
std::string rewritten(const std::string& source, const std::string& out, const std::string& key, std::optional<GgufValue> value,
                      const std::string& drop = "", std::optional<GgmlType> type = std::nullopt) {
  const GgufFile file = GgufFile::open(source);
  GgufWriter writer;
  for (const auto& [k, v] : file.metadata())
    if (k != key) writer.set(k, v);
  if (value) writer.set(key, *value);
  for (const auto& info : file.tensors())
    if (info.name != drop) writer.add_tensor(info.name, info.shape(), file.dequantized(info), type.value_or(info.type));
  writer.write(out);
  return out;
}

/// Logits and every cached hook value of two models on the same batch, bit for bit.
void expect_same_model(const HookedLanguageModel& a, const HookedLanguageModel& b, const at::Tensor& ids) {
  const CachedRun x = hooks::run_with_cache(a, ids), y = hooks::run_with_cache(b, ids);
  EXPECT_TRUE(at::equal(x.output, y.output));
  ASSERT_EQ(x.cache.size(), y.cache.size());
  for (size_t i = 0; i < x.cache.size(); ++i) {
    EXPECT_EQ(x.cache.entries()[i].first, y.cache.entries()[i].first);
    EXPECT_TRUE(at::equal(x.cache.entries()[i].second, y.cache.entries()[i].second)) << x.cache.entries()[i].first;
  }
}

TEST_F(Gpt2Test, GgufAndSafetensorsGiveTheSameLogitsAndHookValues) {
  testing::TinyGpt2Shape untied_shape;
  untied_shape.tied_output = false;
  const std::string untied = write(untied_shape, 6, "untied.gguf");
  // HF checkpoints hold one dtype: an F16 export rounds the biases and norms too, so compare with a GGUF
  // that stores every tensor as F16.
  const std::string untied_f16 = rewritten(untied, (dir_ / "untied_f16.gguf").string(), "", std::nullopt, "", GgmlType::F16);
  struct Variant {
    std::string gguf;
    SafetensorsDtype dtype;
    uint64_t shard_bytes;
    bool prefix;
  };
  const std::vector<Variant> variants = {{path_, SafetensorsDtype::F32, 0, true},
                                         {untied, SafetensorsDtype::F32, 20000, false},  // sharded, bare GPT2Model names
                                         {untied_f16, SafetensorsDtype::F16, 0, true}};
  for (size_t i = 0; i < variants.size(); ++i) {
    const Variant& v = variants[i];
    SCOPED_TRACE(v.gguf);
    const std::string hf_dir = (dir_ / ("hf_" + std::to_string(i))).string();
    testing::export_gpt2_as_hf(GgufFile::open(v.gguf), hf_dir, v.dtype, v.shard_bytes, v.prefix);
    EXPECT_EQ(fs::exists(fs::path(hf_dir) / "model.safetensors.index.json"), v.shard_bytes != 0);
    const auto source = open_model_source(hf_dir);  // config.json's model_type picks the GPT-2 source
    EXPECT_EQ(source->at("general.architecture").as_string("architecture"), "gpt2");
    EXPECT_EQ(source->find_tensor("output.weight") != nullptr, v.gguf != path_);
    const auto from_hf = build_gpt2(source, {});
    expect_same_model(*load_hooked_model(v.gguf), *from_hf, batch());
  }
  // The untied model's output matrix is its own: it differs from the tied one's logits.
  EXPECT_GT(max_abs(load_hooked_model(untied)->forward(batch()) - model_->forward(batch())), 1e-2);
}

TEST_F(Gpt2Test, LogitDifferenceIdentityWithLayerNormAndOutputBiases) {
  testing::TinyGpt2Shape shape;
  shape.tied_output = false;
  shape.output_bias = true;
  const auto model = load_hooked_model(write(shape, 7, "biased.gguf"));
  const CachedRun run = hooks::run_with_cache(*model, batch());
  const hooks::OutputHead head = model->output_head();
  ASSERT_EQ(head.norm_kind, hooks::OutputHead::NormKind::Layer);
  ASSERT_TRUE(head.norm_bias.defined() && head.b_U.defined());
  const hooks::PositionSlice last = hooks::PositionSlice::only(-1);
  const hooks::ResidualStack parts = hooks::decompose_resid(run.cache, kLayers, -1, last);
  EXPECT_EQ(parts.labels, (std::vector<std::string>{"embed", "pos_embed", "0_attn_out", "0_mlp_out", "1_attn_out", "1_mlp_out"}));
  const at::Tensor normed = hooks::apply_ln(parts.components, run.cache, head, hooks::LensConvention::CachedScale, last);
  for (int64_t row = 0; row < 2; ++row) {
    const at::Tensor final_logits = run.output.select(0, row).select(0, -1);
    const int64_t a = final_logits.argmax().item<int64_t>(), b = final_logits.argmin().item<int64_t>();
    const at::Tensor attrs = hooks::logit_attrs(normed, head, a, b);  // [6, b, 1]
    const double bias = hooks::logit_bias(head, a, b);
    const at::Tensor direction = head.W_U.select(1, a) - head.W_U.select(1, b);
    EXPECT_NEAR(bias, at::dot(head.norm_bias, direction).item<double>() + head.b_U[a].item<double>() - head.b_U[b].item<double>(),
                1e-5 * std::abs(bias));
    const double decomposed = attrs.select(1, row).sum().item<double>() + bias;
    const double real = final_logits[a].item<double>() - final_logits[b].item<double>();
    // Exact in real arithmetic. Float32 error: the residual sum of 6 components, each component's and the
    // residual's centring (d-term means), the d-term dot products of both logits and of the
    // decomposition, the scale's reciprocal and the bias additions, each bounded by γ_k times the sum of
    // the absolute terms: |(c_ij| + |mean c_i|) · |w_j| / scale · (|W_U[j, a]| + |W_U[j, b]|), the norm
    // bias's |b_j| · (|W_U[j, a]| + |W_U[j, b]|), and |b_U[a]| + |b_U[b]|.
    const at::Tensor components = parts.components.select(1, row).squeeze(1);  // [6, d]
    const at::Tensor magnitude = components.abs() + components.mean(-1, true).abs();
    const at::Tensor w_u = head.W_U.select(1, a).abs() + head.W_U.select(1, b).abs();
    const double scale = run.cache["ln_final.hook_scale"].select(0, row).select(0, -1).item<double>();
    const double terms = at::matmul(magnitude / scale * head.norm_weight.abs(), w_u).sum().item<double>() +
                         at::dot(head.norm_bias.abs(), w_u).item<double>() + std::abs(head.b_U[a].item<double>()) +
                         std::abs(head.b_U[b].item<double>());
    const double bound = gamma(2 * kEmbd + 6 + 4) * terms;
    EXPECT_LE(std::abs(decomposed - real), bound) << "row " << row << ": " << decomposed << " vs " << real;
    EXPECT_GT(std::abs(real), 100 * bound);                                     // the identity is not vacuous
    EXPECT_GT(std::abs(decomposed - bias - real), 100 * bound) << "row " << row;  // and the bias term matters
  }
}

TEST_F(Gpt2Test, HeadResultsAndTheOutputBiasSumToTheAttentionOutput) {
  const CachedRun run = hooks::run_with_cache(*model_, batch());
  const hooks::ResidualStack heads = hooks::stack_head_results(run.cache, kLayers);
  ASSERT_EQ(heads.components.sizes().vec(), (std::vector<int64_t>{8, 2, 6, kEmbd}));
  for (int l = 0; l < kLayers; ++l) {
    const at::Tensor per_head = heads.components.narrow(0, 4 * l, 4);
    const at::Tensor b_o = weight("blk." + std::to_string(l) + ".attn_output.bias");
    const at::Tensor& attn_out = run.cache["blocks." + std::to_string(l) + ".hook_attn_out"];
    const at::Tensor bound = gamma(5) * (per_head.abs().sum(0) + b_o.abs());
    EXPECT_TRUE(at::all((per_head.sum(0) + b_o - attn_out).abs() <= bound).item<bool>()) << l;
  }
}

TEST(LlamaCppGelu, FollowsTheFp16TableOnEveryHalfInput) {
  // Independent formulation: gelu_new in double of the fp16-rounded input, rounded to fp16. ggml
  // evaluates in float32: 1 + tanh(·) cancels for negative inputs, an absolute error of a few float32
  // roundings times 0.5·|x| (2·|x|·2^-24 bounds it), and a result near an fp16 tie may round the other way
  // (one fp16 ulp). Allow both, and require such cases to be rare.
  int64_t differing = 0, checked = 0;
  for (uint32_t bits = 0; bits < (1u << 16); ++bits) {
    const float x = half_to_float(static_cast<uint16_t>(bits));
    if (!std::isfinite(x)) continue;
    ++checked;
    const float ours = llama_cpp_gelu(x);
    const float expected = x <= -10.0f ? 0.0f : x >= 10.0f ? x : half_to_float(float_to_half(static_cast<float>(gelu_new(x))));
    if (ours == expected) continue;
    ++differing;
    const double ulp = std::max(std::ldexp(std::abs(static_cast<double>(expected)), -10), std::ldexp(1.0, -24));
    ASSERT_LE(std::abs(static_cast<double>(ours) - expected), ulp + 2 * std::abs(x) * kUnitRoundoff) << "x = " << x;
  }
  EXPECT_LT(differing, checked / 100) << differing << " of " << checked;
  // Between half values the input is rounded to the nearest one first; the clamps apply to float inputs.
  EXPECT_EQ(llama_cpp_gelu(1.0f + 1.0f / 4096), llama_cpp_gelu(1.0f));
  EXPECT_EQ(llama_cpp_gelu(-10.0f), 0.0f);
  EXPECT_EQ(llama_cpp_gelu(10.0f), 10.0f);
  EXPECT_EQ(llama_cpp_gelu(12.345f), 12.345f);
  // Its distance from the exact gelu_new: input rounding |gelu'| ≤ 1.13 times 2^-11·|x|, output rounding
  // 2^-11·|gelu|, plus float32 evaluation; what makes llama.cpp's logits differ from ours by design.
  for (double x = -9.99; x < 9.99; x += 0.0137) {
    const double exact = gelu_new(x);
    EXPECT_LE(std::abs(llama_cpp_gelu(static_cast<float>(x)) - exact),
              1.13 * std::ldexp(std::abs(x), -11) + std::ldexp(std::abs(exact), -11) + 1e-6) << x;
  }
}

TEST_F(Gpt2Test, LlamaCppRoundingEmulatesTheGeluTableAndNothingElse) {
  ModelOptions emulate;
  emulate.llama_cpp_rounding = true;
  const auto emulated = load_hooked_model(path_, emulate);
  const CachedRun exact = hooks::run_with_cache(*model_, batch()), rounded = hooks::run_with_cache(*emulated, batch());
  // Up to the first GELU both runs are the same computation.
  EXPECT_TRUE(at::equal(exact.cache["blocks.0.mlp.hook_pre"], rounded.cache["blocks.0.mlp.hook_pre"]));
  for (int l = 0; l < kLayers; ++l) {
    const std::string prefix = "blocks." + std::to_string(l) + ".mlp.";
    const at::Tensor pre = rounded.cache[prefix + "hook_pre"].contiguous();
    at::Tensor table = at::empty_like(pre);
    for (int64_t i = 0; i < pre.numel(); ++i) table.data_ptr<float>()[i] = llama_cpp_gelu(pre.data_ptr<float>()[i]);
    EXPECT_TRUE(at::equal(rounded.cache[prefix + "hook_post"], table)) << l;
  }
  const double effect = max_abs(rounded.output - exact.output);
  EXPECT_GT(effect, 0.0);
  EXPECT_LT(effect, 1e-2 * max_abs(exact.output));
  // llama.cpp also rounds activations for F16 weights, which GPT-2 does not emulate: refuse, never mislead.
  EXPECT_THROW(load_hooked_model(write({}, 5, "f16.gguf", GgmlType::F16), emulate), InputError);
}

void edit_config(const std::string& dir, const std::function<void(nlohmann::json&)>& edit) {
  const std::string path = (fs::path(dir) / "config.json").string();
  nlohmann::json config = nlohmann::json::parse(std::ifstream(path));
  edit(config);
  std::ofstream(path) << config.dump();
}

TEST_F(Gpt2Test, BadInputIsAnInputError) {
  // Token ids: shape, type, range, and positions beyond the learned position embeddings.
  EXPECT_THROW(model_->forward(at::tensor(std::vector<int64_t>{1, 2, 3}, at::kLong)), InputError);
  EXPECT_THROW(model_->forward(at::ones({1, 3}, at::kFloat)), InputError);
  EXPECT_THROW(model_->forward(at::full({1, 3}, kVocab, at::kLong)), InputError);
  EXPECT_THROW(model_->logits(std::vector<int64_t>(kContext + 1, 7)), InputError);
  EXPECT_NO_THROW(model_->logits(std::vector<int64_t>(kContext, 7)));
  // Inconsistent or missing keys and tensors.
  const std::string bad = (dir_ / "bad.gguf").string();
  EXPECT_THROW(load_hooked_model(rewritten(path_, bad, "gpt2.feed_forward_length", GgufValue{uint32_t{64}})), InputError);
  EXPECT_THROW(load_hooked_model(rewritten(path_, bad, "gpt2.attention.head_count", GgufValue{uint32_t{5}})), InputError);
  EXPECT_THROW(load_hooked_model(rewritten(path_, bad, "gpt2.context_length", GgufValue{uint32_t{256}})), InputError);
  EXPECT_THROW(load_hooked_model(rewritten(path_, bad, "gpt2.attention.layer_norm_epsilon", std::nullopt)), InputError);
  EXPECT_THROW(load_hooked_model(rewritten(path_, bad, "", std::nullopt, "blk.1.attn_qkv.bias")), InputError);
  EXPECT_THROW(load_hooked_model(rewritten(path_, bad, "", std::nullopt, "position_embd.weight")), InputError);

  // HF checkpoints: config.json and tensor names are checked.
  int n = 0;
  auto exported = [&]() {
    const std::string hf_dir = (dir_ / ("bad_hf_" + std::to_string(n++))).string();
    testing::export_gpt2_as_hf(*file_, hf_dir, SafetensorsDtype::F32);
    return hf_dir;
  };
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"activation_function", "relu"}, {"n_head", 5}, {"scale_attn_by_inverse_layer_idx", true}, {"n_embd", "32"},
           {"vocab_size", 900}, {"n_inner", 64}, {"n_positions", 64}}) {
    const std::string hf_dir = exported();
    edit_config(hf_dir, [&, key = key, value = value](nlohmann::json& c) { c[key] = value; });
    EXPECT_THROW(build_gpt2(open_model_source(hf_dir), {}), InputError) << key;
  }
  const std::string untied = exported();
  edit_config(untied, [](nlohmann::json& c) { c["tie_word_embeddings"] = false; });  // lm_head.weight is missing
  EXPECT_THROW(open_model_source(untied), InputError);
  const std::string fewer_layers = exported();
  edit_config(fewer_layers, [](nlohmann::json& c) { c["n_layer"] = 1; });  // h.1.* is not a weight of a 1-layer GPT-2
  EXPECT_THROW(open_model_source(fewer_layers), InputError);
  EXPECT_EQ(HfGpt2Source::gguf_name("transformer.h.3.mlp.c_fc.weight"), "blk.3.ffn_up.weight");
  EXPECT_EQ(HfGpt2Source::gguf_name("h.0.attn.c_attn.bias"), "blk.0.attn_qkv.bias");
  EXPECT_EQ(HfGpt2Source::gguf_name("lm_head.weight"), "output.weight");
  EXPECT_EQ(HfGpt2Source::gguf_name("transformer.h.0.attn.masked_bias"), "");
  EXPECT_EQ(HfGpt2Source::gguf_name("model.layers.0.mlp.up_proj.weight"), "");
}

}  // namespace
}  // namespace oh::lm
