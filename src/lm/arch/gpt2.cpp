// The GPT-2 architecture on ATen, over a ModelSource (GGUF names: token_embd, position_embd,
// blk.N.{attn_norm, attn_qkv, attn_output, ffn_norm, ffn_up, ffn_down} with biases, output_norm, output).
// Like llama.cpp, this is one of the few translation units that include ATen's full headers.
#include "lm/arch/gpt2.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "lm/arch/decoder_hooks.h"
#include "lm/arch/device.h"
#include "lm/arch/weight_processing.h"
#include "lm/format/model_source.h"

namespace oh::lm {
namespace {

struct Gpt2Config {
  int64_t n_embd = 0, n_layer = 0, n_head = 0, head_dim = 0, n_ff = 0, vocab = 0, context = 0;
  double ln_eps = 0;
};

/// A weight matrix [out, in] as float32 with its bias [out] (undefined when absent).
struct Linear {
  at::Tensor weight, bias;
  GgmlType stored = GgmlType::F32;
};

struct LayerNormWeights {
  at::Tensor weight, bias;
};

struct Gpt2Block {
  LayerNormWeights ln1, ln2;
  Linear qkv, attn_out, fc, proj;
};

Gpt2Config read_config(const ModelSource& source) {
  auto positive = [&](const std::string& key) {
    const int64_t value = source.at(key).as_int(source.path() + ": " + key);
    if (value <= 0) throw InputError(source.path() + ": " + key + " must be positive, found " + std::to_string(value));
    return value;
  };
  Gpt2Config c;
  c.n_embd = positive("gpt2.embedding_length");
  c.n_layer = positive("gpt2.block_count");
  c.n_head = positive("gpt2.attention.head_count");
  c.n_ff = positive("gpt2.feed_forward_length");
  c.context = positive("gpt2.context_length");
  // Required, as llama.cpp requires it for GPT-2.
  c.ln_eps = source.at("gpt2.attention.layer_norm_epsilon").as_double(source.path() + ": gpt2.attention.layer_norm_epsilon");
  if (!(c.ln_eps > 0) || !std::isfinite(c.ln_eps))
    throw InputError(source.path() + ": gpt2.attention.layer_norm_epsilon must be positive, found " + std::to_string(c.ln_eps));
  if (c.n_embd % c.n_head != 0)
    throw InputError(source.path() + ": gpt2.embedding_length " + std::to_string(c.n_embd) +
                     " is not a multiple of gpt2.attention.head_count " + std::to_string(c.n_head));
  c.head_dim = c.n_embd / c.n_head;
  const std::vector<uint64_t> embedding = source.tensor("token_embd.weight").shape();
  if (embedding.size() != 2)
    throw InputError(source.path() + ": tensor 'token_embd.weight' has rank " + std::to_string(embedding.size()) + ", expected 2");
  c.vocab = static_cast<int64_t>(embedding.front());
  return c;
}

/// Weights as float32 tensors: F32 in place (ModelSource keeps F32 data aligned), other types converted at
/// load; copied to the model's device when that is not the CPU.
class WeightLoader {
 public:
  WeightLoader(const ModelSource& source, c10::Device device) : source_(source), device_(device) {}

  at::Tensor operator()(const std::string& name, const std::vector<int64_t>& expected) const {
    const GgufTensorInfo& info = source_.tensor(name);
    const std::vector<uint64_t> dims = info.shape();
    const std::vector<int64_t> shape(dims.begin(), dims.end());
    if (shape != expected)
      throw InputError(source_.path() + ": tensor '" + name + "' has shape " + shape_text(shape) + ", expected " +
                       shape_text(expected));
    if (info.type == GgmlType::F32)
      return at::from_blob(const_cast<uint8_t*>(info.data), shape, at::TensorOptions().dtype(at::kFloat)).to(device_);
    at::Tensor values = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    source_.to_float(info, values.data_ptr<float>());
    return values.to(device_);
  }

  Linear linear(const std::string& prefix, int64_t out, int64_t in) const {
    return Linear{(*this)(prefix + ".weight", {out, in}), (*this)(prefix + ".bias", {out}), source_.tensor(prefix + ".weight").type};
  }
  LayerNormWeights norm(const std::string& prefix, int64_t n) const {
    return LayerNormWeights{(*this)(prefix + ".weight", {n}), (*this)(prefix + ".bias", {n})};
  }

 private:
  const ModelSource& source_;
  c10::Device device_;
};

/// ggml's gelu_f32, in float32 as ggml evaluates it (this file is built with -ffp-contract=off).
float ggml_gelu_f32(float x) {
  constexpr float kGeluCoefA = 0.044715f;
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kGeluCoefA * x * x)));
}

/// ggml's table: for every fp16 bit pattern h, fp16(gelu_f32(float(h))) widened back to float.
const std::vector<float>& llama_cpp_gelu_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(1 << 16);
    for (uint32_t h = 0; h < t.size(); ++h) t[h] = half_to_float(float_to_half(ggml_gelu_f32(half_to_float(static_cast<uint16_t>(h)))));
    return t;
  }();
  return table;
}

class Gpt2Model final : public HookedLanguageModel {
 public:
  Gpt2Model(std::shared_ptr<const ModelSource> source, const ModelOptions& options)
      : HookedLanguageModel("gpt2", resolve_device(options.device)), source_(std::move(source)), options_(options), config_(read_config(*source_)) {
    const Gpt2Config& c = config_;
    const WeightLoader load(*source_, device());
    token_embd_ = load("token_embd.weight", {c.vocab, c.n_embd});
    position_embd_ = load("position_embd.weight", {c.context, c.n_embd});
    for (int64_t l = 0; l < c.n_layer; ++l) {
      const std::string p = "blk." + std::to_string(l) + ".";
      Gpt2Block b;
      b.ln1 = load.norm(p + "attn_norm", c.n_embd);
      b.qkv = load.linear(p + "attn_qkv", 3 * c.n_embd, c.n_embd);
      b.attn_out = load.linear(p + "attn_output", c.n_embd, c.n_embd);
      b.ln2 = load.norm(p + "ffn_norm", c.n_embd);
      b.fc = load.linear(p + "ffn_up", c.n_ff, c.n_embd);
      b.proj = load.linear(p + "ffn_down", c.n_embd, c.n_ff);
      blocks_.push_back(std::move(b));
    }
    output_norm_ = load.norm("output_norm", c.n_embd);
    if (source_->find_tensor("output.weight"))
      output_ = Linear{load("output.weight", {c.vocab, c.n_embd}), {}, source_->tensor("output.weight").type};
    else
      output_ = Linear{token_embd_, {}, source_->tensor("token_embd.weight").type};
    if (source_->find_tensor("output.bias")) output_.bias = load("output.bias", {c.vocab});
    if (options_.llama_cpp_rounding) reject_unemulated_weights();
    if (options_.tl_processing) process_like_transformer_lens();

    embed_hook_ = registry_.declare("hook_embed");
    pos_embed_hook_ = registry_.declare("hook_pos_embed");
    for (int l = 0; l < static_cast<int>(c.n_layer); ++l) block_hooks_.push_back(declare_block_hooks(registry_, l, BlockLayout{false, false}));
    final_norm_hooks_ = declare_final_norm_hooks(registry_);
  }

  int64_t vocab_size() const override { return config_.vocab; }

  hooks::OutputHead output_head() const override {
    hooks::OutputHead head;
    head.norm_kind = hooks::OutputHead::NormKind::Layer;
    head.norm_weight = output_norm_.weight;
    head.norm_bias = output_norm_.bias;
    head.norm_eps = config_.ln_eps;
    head.W_U = output_.weight.t();
    head.b_U = output_.bias;
    return head;
  }

 at::Tensor forward_cached(const at::Tensor& input, const at::Tensor& real, KvCache& cache,
                            hooks::HookPass& pass) const override {
    const at::Tensor ids = checked_token_ids(input);
    const CachedStep step = advance_cache(ids, real, cache, blocks_.size());
    const int64_t last = step.position_ids.max().item<int64_t>();
    if (last >= config_.context)
      throw InputError("gpt2: position " + std::to_string(last) + " is past the model's context length " +
                       std::to_string(config_.context) + " (learned position embeddings end there)");
    return run(ids, at::embedding(position_embd_, step.position_ids), step.hidden, &cache, pass);
  }

 protected:
  /// Token ids [b, p] → logits [b, p, vocab], or the residual stream entering the stop layer.
  at::Tensor hooked_forward(const at::Tensor& input, hooks::HookPass& pass) const override {
    const at::Tensor ids = checked_token_ids(input);
    const int64_t positions = ids.size(1);
    const at::Tensor causal_mask = at::ones({positions, positions}, at::TensorOptions().dtype(at::kBool).device(device())).triu(1);
    // A view of the weights (memory-mapped, read-only for F32); run() copies it for hooks.
    return run(ids, position_embd_.narrow(0, 0, positions).unsqueeze(0), causal_mask, nullptr, pass);
  }

 private:
  /// The forward pass: `positional` [b or 1, p, d] the position embeddings of the tokens, `hidden` (bool,
  /// broadcast to [b, h, p, keys]) true where a query may not see a key, `cache` (optional) the keys and
  /// values before these tokens.
  at::Tensor run(const at::Tensor& ids, const at::Tensor& positional, const at::Tensor& hidden, KvCache* cache,
                 hooks::HookPass& pass) const {
    const int64_t batch = ids.size(0), positions = ids.size(1);
    const at::Tensor embed = pass(embed_hook_, at::embedding(token_embd_, ids));  // [b, p, d]
    // Hooks get a copy of the position embeddings they may modify in place.
    const at::Tensor expanded = positional.expand({batch, positions, config_.n_embd});
    const at::Tensor pos_embed = pass(pos_embed_hook_, pass.armed(pos_embed_hook_) ? expanded.clone() : expanded);
    at::Tensor x = embed + pos_embed;
    for (size_t l = 0; l < blocks_.size(); ++l) {
      if (pass.stops_before(static_cast<int>(l))) return x;
      const Gpt2Block& b = blocks_[l];
      const BlockHooks& h = block_hooks_[l];
      x = pass(h.resid_pre, x);
      const at::Tensor attn_in = layer_norm(x, b.ln1, {h.ln1_scale, h.ln1_normalized}, pass);
      at::Tensor* cached_keys = cache ? &cache->keys[l] : nullptr;
      at::Tensor* cached_values = cache ? &cache->values[l] : nullptr;
      x = pass(h.resid_mid, x + pass(h.attn_out, attention(attn_in, b, h, hidden, cached_keys, cached_values, pass)));
      const at::Tensor mlp_in = layer_norm(x, b.ln2, {h.ln2_scale, h.ln2_normalized}, pass);
      x = pass(h.resid_post, x + pass(h.mlp_out, mlp(mlp_in, b, h, pass)));
    }
    if (pass.stops_before(static_cast<int>(blocks_.size()))) return x;
    return project(layer_norm(x, output_norm_, final_norm_hooks_, pass), output_);
  }

  /// ModelOptions::tl_processing, in TransformerLens's order: fold_ln (each LayerNorm's weight and bias
  /// into the matrices that read it; the norms become weight 1, bias 0), center_writing_weights (the
  /// embeddings, W_O, W_out and their biases), fold_value_biases (b_V reaches the residual only through
  /// W_O, as attention rows sum to 1, so W_O·b_V joins b_O) and center_unembed.
  void process_like_transformer_lens() {
    const int64_t d = config_.n_embd;
    auto fold = [](Linear& l, LayerNormWeights& norm) {
      l.bias = fold_norm_bias(l.weight, l.bias, norm.bias);
      l.weight = fold_norm_weight(l.weight, norm.weight);
    };
    auto reset = [](LayerNormWeights& norm) {
      norm.weight = at::ones_like(norm.weight);
      norm.bias = at::zeros_like(norm.bias);
    };
    for (Gpt2Block& b : blocks_) {
      fold(b.qkv, b.ln1);
      fold(b.fc, b.ln2);
      reset(b.ln1);
      reset(b.ln2);
      for (Linear* writer : {&b.attn_out, &b.proj}) {
        writer->weight = center_writes(writer->weight, 0);
        writer->bias = center_writes(writer->bias, 0);
      }
      const at::Tensor value_bias = b.qkv.bias.narrow(0, 2 * d, d);
      b.attn_out.bias = b.attn_out.bias + at::mv(b.attn_out.weight, value_bias);
      b.qkv.bias = at::cat({b.qkv.bias.narrow(0, 0, 2 * d), at::zeros_like(value_bias)});
    }
    fold(output_, output_norm_);
    reset(output_norm_);
    output_.weight = center_over_vocabulary(output_.weight);
    output_.bias = center_over_vocabulary(output_.bias);
    token_embd_ = center_writes(token_embd_, 1);
    position_embd_ = center_writes(position_embd_, 1);
  }

  /// The opt-in emulation covers the GELU table only: llama.cpp also rounds the activations of F16 and
  /// Q8_0 matmuls, which this architecture does not reproduce, so such weights would give a false match.
  void reject_unemulated_weights() const {
    std::vector<const Linear*> all = {&output_};
    for (const Gpt2Block& b : blocks_)
      for (const Linear* l : {&b.qkv, &b.attn_out, &b.fc, &b.proj}) all.push_back(l);
    for (const Linear* l : all)
      if (l->stored != GgmlType::F32)
        throw InputError(source_->path() + ": gpt2: llama.cpp's activation rounding is emulated for F32 weights only, this model has " +
                         ggml_type_traits(l->stored).name + " weights");
  }

  /// InputError unless `input` is a non-empty [b, p] integer tensor of ids in the vocabulary, p ≤ context.
  at::Tensor checked_token_ids(const at::Tensor& input) const {
    at::Tensor ids = lm::checked_token_ids(input, "gpt2", config_.vocab).to(device());
    if (ids.size(1) > config_.context)
      throw InputError("gpt2: " + std::to_string(ids.size(1)) + " positions exceed the model's context length " +
                       std::to_string(config_.context) + " (learned position embeddings end there)");
    return ids;
  }

  /// With `cached_keys`/`cached_values`, the keys and values of earlier positions go first, and these
  /// positions' are appended to them.
  at::Tensor attention(const at::Tensor& x, const Gpt2Block& b, const BlockHooks& h, const at::Tensor& hidden,
                       at::Tensor* cached_keys, at::Tensor* cached_values, hooks::HookPass& pass) const {
    const Gpt2Config& c = config_;
    const int64_t batch = x.size(0), positions = x.size(1);
    const at::Tensor qkv = project(x, b.qkv);  // [b, p, 3d]: q, k, v in that order, head-major within each
    auto head_split = [&](int64_t part) { return qkv.narrow(-1, part * c.n_embd, c.n_embd).reshape({batch, positions, c.n_head, c.head_dim}); };
    const at::Tensor q = pass(h.q, head_split(0)), k = pass(h.k, head_split(1)), v = pass(h.v, head_split(2));
    const auto [keys, values] = append_to_cache(k.transpose(1, 2), v.transpose(1, 2), cached_keys, cached_values);  // [b, h, keys, dh]
    const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
    const at::Tensor scores =
        pass(h.attn_scores, at::matmul(q.transpose(1, 2), keys.transpose(2, 3)).mul_(scale).masked_fill_(hidden, -INFINITY));
    const at::Tensor pattern = pass(h.pattern, at::softmax(scores, -1));
    const at::Tensor z = pass(h.z, at::matmul(pattern, values).transpose(1, 2));  // [b, p, h, dh]
    const at::Tensor z_flat = z.reshape({batch, positions, c.n_embd});
    if (!pass.armed(h.result)) return project(z_flat, b.attn_out);
    // Opt-in per-head outputs: result[b, p, h] = W_O[:, h·dh : (h+1)·dh] z[b, p, h]; attn_out is their
    // sum plus the bias b_O, which belongs to no head (TransformerLens's convention).
    const at::Tensor z_heads = z_flat.reshape({batch * positions, c.n_head, c.head_dim}).transpose(0, 1);
    const at::Tensor wo_heads = b.attn_out.weight.view({c.n_embd, c.n_head, c.head_dim}).permute({1, 2, 0});  // [h, dh, d]
    const at::Tensor result =
        pass(h.result, at::bmm(z_heads, wo_heads).view({c.n_head, batch, positions, c.n_embd}).permute({1, 2, 0, 3}));
    return result.sum(2) + b.attn_out.bias;
  }

  at::Tensor mlp(const at::Tensor& x, const Gpt2Block& b, const BlockHooks& h, hooks::HookPass& pass) const {
    const at::Tensor pre = pass(h.mlp_pre, project(x, b.fc));
    return project(pass(h.mlp_post, gelu(pre)), b.proj);
  }

  /// gelu_new exactly (tanh form, float32), or llama.cpp's fp16 table when emulating llama.cpp.
  at::Tensor gelu(const at::Tensor& pre) const {
    if (!options_.llama_cpp_rounding) return at::gelu(pre, "tanh");
    const at::Tensor in = pre.to(at::kCPU).contiguous();
    at::Tensor out = at::empty_like(in);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    for (int64_t i = 0; i < in.numel(); ++i) dst[i] = llama_cpp_gelu(src[i]);
    return out.to(pre.device());
  }

  static at::Tensor project(const at::Tensor& x, const Linear& l) {
    return l.bias.defined() ? at::linear(x, l.weight, l.bias) : at::linear(x, l.weight);
  }

  /// Centre, then x · (1 / scale) rather than x / scale: llama.cpp's rounding (ggml_norm multiplies by
  /// 1/sqrtf(variance + eps)); then the weight and bias.
  at::Tensor layer_norm(const at::Tensor& x, const LayerNormWeights& w, const NormHooks& h, hooks::HookPass& pass) const {
    const at::Tensor centred = x - x.mean(-1, true);
    const at::Tensor scale = pass(h.scale, (centred.pow(2).mean(-1, true) + config_.ln_eps).sqrt());
    return pass(h.normalized, centred * scale.reciprocal()) * w.weight + w.bias;
  }

  std::shared_ptr<const ModelSource> source_;  // owns the memory maps that F32 weights live in
  ModelOptions options_;
  Gpt2Config config_;
  at::Tensor token_embd_, position_embd_;
  LayerNormWeights output_norm_;
  Linear output_;
  std::vector<Gpt2Block> blocks_;
  hooks::HookId embed_hook_ = 0, pos_embed_hook_ = 0;
  std::vector<BlockHooks> block_hooks_;
  NormHooks final_norm_hooks_{};
};

}  // namespace

float llama_cpp_gelu(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  return llama_cpp_gelu_table()[float_to_half(x)];
}

std::unique_ptr<HookedLanguageModel> build_gpt2(std::shared_ptr<const ModelSource> source, const ModelOptions& options) {
  return std::make_unique<Gpt2Model>(std::move(source), options);
}

}  // namespace oh::lm
