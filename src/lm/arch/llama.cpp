// The Llama architecture on ATen. The only translation unit of the engine that includes libtorch's
// headers (~40 s to compile): keep tensor code here and expose torch-free interfaces.
#include "lm/arch/llama.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "lm/arch/decoder_hooks.h"
#include "lm/arch/device.h"
#include "lm/arch/weight_processing.h"
#include "lm/format/ggml_quants.h"
#include "lm/format/model_source.h"

namespace oh::lm {
namespace {

struct LlamaConfig {
  int64_t n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0, vocab = 0;
  double rms_eps = 0, rope_base = 0;
};

/// A weight matrix [rows, cols] and the type it is stored in (llama.cpp's activation rounding depends on
/// it). F32 weights are float tensors (in place on the memory map, or a reordered copy); other types stay
/// in their stored bytes and are converted to float on use, one matrix (or slice of rows) at a time, so
/// a model never holds all its weights as float (issue 3 item 10).
struct Linear {
  at::Tensor weight;                          // float32 [rows, cols] when stored as F32
  const GgufTensorInfo* stored_tensor = nullptr;  // the bytes to convert otherwise
  GgmlType stored = GgmlType::F32;
  int64_t rows = 0, cols = 0;
  int64_t rotary_heads = 0, head_dim = 0;     // rotary_heads > 0: Q/K rows to reorder after conversion
};

struct LlamaBlock {
  at::Tensor attn_norm, ffn_norm;
  Linear wq, wk, wv, wo, w_gate, w_up, w_down;
};

/// What llama.cpp's CPU matmul does to the activations before multiplying by a `stored` weight with
/// `rows` output rows: it converts them to the weight's dot-product type: fp16 for F16, bf16 for BF16,
/// Q8_0 blocks of 32 for Q8_0 and Q4_0, Q8_K blocks of 256 for Q4_K and Q6_K; except F16 weights in
/// ggml's AMX buffer (rows a multiple of 32), which take fp32. (The AMX buffer also takes Q4_0, Q8_0,
/// Q4_K and Q6_K weights, whose AMX kernels quantise the activations the same way; not BF16.)
at::Tensor round_like_llama_cpp(const at::Tensor& x, GgmlType stored, int64_t rows, bool amx) {
  switch (stored) {
    case GgmlType::F16:
      return amx && rows % 32 == 0 ? x : x.to(at::kHalf).to(at::kFloat);
    case GgmlType::BF16:
      return x.to(at::kBFloat16).to(at::kFloat);
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_K:
    case GgmlType::Q6_K: {
      at::Tensor rounded = x.to(at::kCPU).contiguous().clone();
      float* values = rounded.data_ptr<float>();
      const auto n = static_cast<size_t>(rounded.numel());
      if (stored == GgmlType::Q4_K || stored == GgmlType::Q6_K) {
        round_through_q8_k(values, n);
      } else {
        std::vector<uint8_t> blocks(n / kQ8_0BlockElements * kQ8_0BlockBytes);
        quantize(GgmlType::Q8_0, values, blocks.data(), n);
        dequantize(GgmlType::Q8_0, blocks.data(), values, n);
      }
      return rounded.to(x.device());
    }
    default:
      return x;
  }
}

LlamaConfig read_config(const ModelSource& file) {
  auto positive = [&](const std::string& key) {
    const int64_t value = file.at(key).as_int(key);
    if (value <= 0) throw InputError(file.path() + ": " + key + " must be positive, found " + std::to_string(value));
    return value;
  };
  auto real = [&](const std::string& key, double fallback) {
    const GgufValue* value = file.find(key);
    return value ? value->as_double(key) : fallback;
  };
  LlamaConfig c;
  c.n_embd = positive("llama.embedding_length");
  c.n_layer = positive("llama.block_count");
  c.n_head = positive("llama.attention.head_count");
  c.n_head_kv = file.find("llama.attention.head_count_kv") ? positive("llama.attention.head_count_kv") : c.n_head;
  c.n_ff = positive("llama.feed_forward_length");
  // llama.cpp's defaults when the keys are absent.
  c.rms_eps = real("llama.attention.layer_norm_rms_epsilon", 1e-5);
  c.rope_base = real("llama.rope.freq_base", 10000.0);
  if (c.n_embd % c.n_head != 0)
    throw InputError(file.path() + ": llama.embedding_length " + std::to_string(c.n_embd) +
                     " is not a multiple of llama.attention.head_count " + std::to_string(c.n_head));
  if (c.n_head % c.n_head_kv != 0)
    throw InputError(file.path() + ": llama.attention.head_count " + std::to_string(c.n_head) +
                     " is not a multiple of llama.attention.head_count_kv " + std::to_string(c.n_head_kv));
  c.head_dim = c.n_embd / c.n_head;
  if (c.head_dim % 2 != 0) throw InputError(file.path() + ": head dimension " + std::to_string(c.head_dim) + " is odd");
  if (const GgufValue* rot = file.find("llama.rope.dimension_count"); rot && rot->as_int("llama.rope.dimension_count") != c.head_dim)
    throw InputError(file.path() + ": llama.rope.dimension_count " + std::to_string(rot->as_int("llama.rope.dimension_count")) +
                     " differs from the head dimension " + std::to_string(c.head_dim) + " (partial rotary is not supported)");
  if (!(c.rms_eps > 0) || !(c.rope_base > 0))
    throw InputError(file.path() + ": llama.attention.layer_norm_rms_epsilon and llama.rope.freq_base must be positive");
  // llama.cpp reads a scaling factor without a type as linear scaling; only "none" (or a factor of 1)
  // leaves the rotary frequencies alone. Llama-3.1's scaling comes as the rope_freqs tensor instead.
  const GgufValue* scaling_type = file.find("llama.rope.scaling.type");
  const std::string type = scaling_type ? scaling_type->as_string("llama.rope.scaling.type") : "";
  if (!type.empty() && type != "none")
    throw InputError(file.path() + ": llama.rope.scaling.type '" + type + "' is not supported (none; Llama-3.1 scaling as rope_freqs)");
  if (const GgufValue* factor = file.find("llama.rope.scaling.factor"); factor && type != "none") {
    const double value = factor->as_double("llama.rope.scaling.factor");
    if (value != 0 && value != 1)
      throw InputError(file.path() + ": llama.rope.scaling.factor " + std::to_string(value) +
                       " asks for linear rope scaling, which is not supported");
  }
  c.vocab = static_cast<int64_t>(file.tensor("token_embd.weight").shape().front());
  return c;
}

/// GGUF stores Q and K rows per head in Meta's adjacent-pair rotary layout (rows 2i, 2i+1 rotate
/// together); the canonical layout is HF's half-split one (row i with row i + d/2), so hook_q/hook_k
/// do not depend on the file format. Row (h, i, c) moves to (h, c, i). This copies Q and K (the only
/// F32 weights not used in place from the memory map).
at::Tensor to_half_split_rows(const at::Tensor& weight, int64_t heads, int64_t head_dim) {
  return weight.view({heads, head_dim / 2, 2, weight.size(1)}).transpose(1, 2).reshape({heads * head_dim, weight.size(1)});
}

/// Converts rows [first, first + count) of a non-F32 `l` to float32 at `dst` (rows are whole blocks).
void convert_rows(const Linear& l, int64_t first, int64_t count, float* dst) {
  const GgmlTypeTraits& traits = ggml_type_traits(l.stored);
  const auto row_bytes = static_cast<size_t>(l.cols) / traits.block_elements * traits.block_bytes;
  dequantize(l.stored, l.stored_tensor->data + static_cast<size_t>(first) * row_bytes, dst,
             static_cast<size_t>(count * l.cols));
}

/// Rows [first, first + count) of `l` as float32 [count, cols], in the half-split Q/K layout.
at::Tensor float_rows(const Linear& l, int64_t first, int64_t count) {
  if (l.weight.defined()) return l.weight.narrow(0, first, count);
  assert(l.rotary_heads == 0 || (first == 0 && count == l.rows));  // Q/K are reordered whole
  at::Tensor values = at::empty({count, l.cols}, at::TensorOptions().dtype(at::kFloat));
  convert_rows(l, first, count, values.data_ptr<float>());
  return l.rotary_heads > 0 ? to_half_split_rows(values, l.rotary_heads, l.head_dim) : values;
}

at::Tensor float_weight(const Linear& l) { return float_rows(l, 0, l.rows); }

/// Reads tensors by name with their shapes checked: vectors (norms, rope_freqs) as float32 at load, F32
/// in place on the memory map; matrices as Linear, converted on use unless F32. Off the CPU, every
/// tensor is copied to the device at load, matrices as float32 (one matrix converted at a time).
class WeightLoader {
 public:
  WeightLoader(const ModelSource& file, bool rotary_rows_half_split, c10::Device device)
      : file_(file), rotary_rows_half_split_(rotary_rows_half_split), device_(device) {}

  at::Tensor operator()(const std::string& name, const std::vector<int64_t>& expected) const {
    const GgufTensorInfo& info = checked(name, expected);
    if (info.type == GgmlType::F32) return in_place(info, expected).to(device_);
    at::Tensor values = at::empty(expected, at::TensorOptions().dtype(at::kFloat));
    file_.to_float(info, values.data_ptr<float>());
    return values.to(device_);
  }

  /// A weight matrix; `rotary_heads` > 0 marks Q/K rows of that many heads of `head_dim` rows.
  Linear matrix(const std::string& name, int64_t rows, int64_t cols, int64_t rotary_heads = 0, int64_t head_dim = 0) const {
    const GgufTensorInfo& info = checked(name, {rows, cols});
    if (!is_convertible(info.type))
      throw InputError(file_.path() + ": tensor '" + name + "' has type " + ggml_type_traits(info.type).name +
                       ", which this engine cannot read yet (" + convertible_type_names() + ")");
    Linear l;
    l.stored = info.type;
    l.rows = rows;
    l.cols = cols;
    const bool reorder = rotary_heads > 0 && !rotary_rows_half_split_;
    if (info.type == GgmlType::F32) {
      l.weight = in_place(info, {rows, cols});
      if (reorder) l.weight = to_half_split_rows(l.weight, rotary_heads, head_dim);
    } else {
      l.stored_tensor = &info;
      if (reorder) {
        l.rotary_heads = rotary_heads;
        l.head_dim = head_dim;
      }
    }
    if (!device_.is_cpu()) {
      l.weight = float_weight(l).to(device_);
      l.stored_tensor = nullptr;
      l.rotary_heads = 0;
    }
    return l;
  }

 private:
  const GgufTensorInfo& checked(const std::string& name, const std::vector<int64_t>& expected) const {
    const GgufTensorInfo& info = file_.tensor(name);
    const std::vector<uint64_t> dims = info.shape();
    const std::vector<int64_t> shape(dims.begin(), dims.end());
    if (shape != expected)
      throw InputError(file_.path() + ": tensor '" + name + "' has shape " + shape_text(shape) + ", expected " +
                       shape_text(expected));
    return info;
  }

  static at::Tensor in_place(const GgufTensorInfo& info, const std::vector<int64_t>& shape) {
    return at::from_blob(const_cast<uint8_t*>(info.data), shape, at::TensorOptions().dtype(at::kFloat));
  }

  const ModelSource& file_;
  bool rotary_rows_half_split_;
  c10::Device device_;
};

class LlamaModel final : public HookedLanguageModel {
 public:
  LlamaModel(std::shared_ptr<const ModelSource> file, const ModelOptions& options)
      : HookedLanguageModel("llama", resolve_device(options.device)), file_(std::move(file)), options_(options), config_(read_config(*file_)) {
    const LlamaConfig& c = config_;
    const WeightLoader load(*file_, file_->rotary_rows_half_split(), device());
    const int64_t kv_dim = c.n_head_kv * c.head_dim;
    token_embd_ = load.matrix("token_embd.weight", c.vocab, c.n_embd);
    for (int64_t l = 0; l < c.n_layer; ++l) {
      const std::string p = "blk." + std::to_string(l) + ".";
      LlamaBlock b;
      b.attn_norm = load(p + "attn_norm.weight", {c.n_embd});
      b.wq = load.matrix(p + "attn_q.weight", c.n_embd, c.n_embd, c.n_head, c.head_dim);
      b.wk = load.matrix(p + "attn_k.weight", kv_dim, c.n_embd, c.n_head_kv, c.head_dim);
      b.wv = load.matrix(p + "attn_v.weight", kv_dim, c.n_embd);
      b.wo = load.matrix(p + "attn_output.weight", c.n_embd, c.n_embd);
      b.ffn_norm = load(p + "ffn_norm.weight", {c.n_embd});
      b.w_gate = load.matrix(p + "ffn_gate.weight", c.n_ff, c.n_embd);
      b.w_up = load.matrix(p + "ffn_up.weight", c.n_ff, c.n_embd);
      b.w_down = load.matrix(p + "ffn_down.weight", c.n_embd, c.n_ff);
      blocks_.push_back(std::move(b));
    }
    output_norm_ = load("output_norm.weight", {c.n_embd});
    output_ = file_->find_tensor("output.weight") ? load.matrix("output.weight", c.vocab, c.n_embd) : token_embd_;
    // Inverse frequencies base^(-2i/d) of rotary pair i, in double so the angles carry no float rounding.
    std::vector<double> inv_freq(static_cast<size_t>(c.head_dim / 2));
    for (size_t i = 0; i < inv_freq.size(); ++i)
      inv_freq[i] = std::pow(c.rope_base, -2.0 * static_cast<double>(i) / static_cast<double>(c.head_dim));
    // Llama-3.1 scaling: rope_freqs holds a divisor per rotary pair (llama.cpp's freq_factors).
    if (file_->find_tensor("rope_freqs.weight")) {
      const at::Tensor divisors = load("rope_freqs.weight", {c.head_dim / 2}).to(at::kCPU, at::kDouble).contiguous();
      for (size_t i = 0; i < inv_freq.size(); ++i) {
        const double divisor = divisors.data_ptr<double>()[i];
        if (!(divisor > 0) || !std::isfinite(divisor))
          throw InputError(file_->path() + ": rope_freqs.weight[" + std::to_string(i) + "] is " + std::to_string(divisor) +
                           ", expected a positive divisor");
        inv_freq[i] /= divisor;
      }
    }

    inv_freq_ = at::tensor(inv_freq, at::TensorOptions().dtype(at::kDouble)).to(device());
    if (options.tl_processing) process_like_transformer_lens();

    embed_hook_ = registry_.declare("hook_embed");
    for (int l = 0; l < static_cast<int>(c.n_layer); ++l) block_hooks_.push_back(declare_block_hooks(registry_, l, BlockLayout{true, true}));
    final_norm_hooks_ = declare_final_norm_hooks(registry_);
  }

  int64_t vocab_size() const override { return config_.vocab; }

  hooks::OutputHead output_head() const override {
    hooks::OutputHead head;
    head.norm_kind = hooks::OutputHead::NormKind::RMS;
    head.norm_weight = output_norm_;
    head.norm_eps = config_.rms_eps;
    head.W_U = float_weight(output_).t();
    return head;
  }

  at::Tensor forward_cached(const at::Tensor& input, const at::Tensor& real, KvCache& cache,
                            hooks::HookPass& pass) const override {
    const at::Tensor ids = checked_token_ids(input);
    const CachedStep step = advance_cache(ids, real, cache, blocks_.size());
    return run(ids, step.position_ids, step.hidden, &cache, pass);
  }

 protected:
  /// Token ids [b, p] → logits [b, p, vocab], or the residual stream entering the stop layer.
  at::Tensor hooked_forward(const at::Tensor& input, hooks::HookPass& pass) const override {
    const at::Tensor ids = checked_token_ids(input);
    const int64_t positions = ids.size(1);
    const at::Tensor position_ids = at::arange(positions, at::TensorOptions().dtype(at::kLong).device(device())).unsqueeze(0);
    const at::Tensor causal_mask = at::ones({positions, positions}, at::TensorOptions().dtype(at::kBool).device(device())).triu(1);
    return run(ids, position_ids, causal_mask, nullptr, pass);
  }

 private:
  /// The forward pass: `position_ids` [b or 1, p], `hidden` (bool, broadcast to [b, h, p, keys]) true
  /// where a query may not see a key, `cache` (optional) the keys and values before these tokens.
  at::Tensor run(const at::Tensor& ids, const at::Tensor& position_ids, const at::Tensor& hidden, KvCache* cache,
                 hooks::HookPass& pass) const {
    const auto [cos, sin] = rotary_tables(position_ids);
    at::Tensor x = pass(embed_hook_, embed(ids));  // [b, p, d]
    for (size_t l = 0; l < blocks_.size(); ++l) {
      if (pass.stops_before(static_cast<int>(l))) return x;
      const LlamaBlock& b = blocks_[l];
      const BlockHooks& h = block_hooks_[l];
      x = pass(h.resid_pre, x);
      const at::Tensor attn_in = rms_norm(x, b.attn_norm, {h.ln1_scale, h.ln1_normalized}, pass);
      at::Tensor* cached_keys = cache ? &cache->keys[l] : nullptr;
      at::Tensor* cached_values = cache ? &cache->values[l] : nullptr;
      x = pass(h.resid_mid, x + pass(h.attn_out, attention(attn_in, b, h, cos, sin, hidden, cached_keys, cached_values, pass)));
      const at::Tensor mlp_in = rms_norm(x, b.ffn_norm, {h.ln2_scale, h.ln2_normalized}, pass);
      x = pass(h.resid_post, x + pass(h.mlp_out, mlp(mlp_in, b, h, pass)));
    }
    if (pass.stops_before(static_cast<int>(blocks_.size()))) return x;
    return project(rms_norm(x, output_norm_, final_norm_hooks_, pass), output_);
  }

  at::Tensor checked_token_ids(const at::Tensor& input) const {
    return lm::checked_token_ids(input, "llama", config_.vocab).to(device());
  }

  /// ModelOptions::tl_processing for RMSNorm models: fold_ln (each norm's weight into the matrices that
  /// read it; the norms keep weights of ones) and center_unembed. TransformerLens centres no writing
  /// weights of RMSNorm models (the norm does not subtract the mean).
  void process_like_transformer_lens() {
    auto fold = [](Linear& l, const at::Tensor& norm_weight) {
      l.weight = fold_norm_weight(float_weight(l), norm_weight);
      l.stored_tensor = nullptr;
      l.rotary_heads = 0;  // float_weight returned the half-split rows
    };
    for (LlamaBlock& b : blocks_) {
      for (Linear* l : {&b.wq, &b.wk, &b.wv}) fold(*l, b.attn_norm);
      for (Linear* l : {&b.w_gate, &b.w_up}) fold(*l, b.ffn_norm);
      b.attn_norm = at::ones_like(b.attn_norm);
      b.ffn_norm = at::ones_like(b.ffn_norm);
    }
    fold(output_, output_norm_);
    output_.weight = center_over_vocabulary(output_.weight);
    output_norm_ = at::ones_like(output_norm_);
  }

  /// With `cached_keys`/`cached_values`, the keys and values of earlier positions go first, and these
  /// positions' are appended to them.
  at::Tensor attention(const at::Tensor& x, const LlamaBlock& b, const BlockHooks& h, const at::Tensor& cos,
                       const at::Tensor& sin, const at::Tensor& hidden, at::Tensor* cached_keys, at::Tensor* cached_values,
                       hooks::HookPass& pass) const {
    const LlamaConfig& c = config_;
    const int64_t batch = x.size(0), positions = x.size(1);
    const at::Tensor q = pass(h.q, project(x, b.wq).view({batch, positions, c.n_head, c.head_dim}));
    const at::Tensor k = pass(h.k, project(x, b.wk).view({batch, positions, c.n_head_kv, c.head_dim}));
    const at::Tensor v = pass(h.v, project(x, b.wv).view({batch, positions, c.n_head_kv, c.head_dim}));
    const at::Tensor rot_q = pass(h.rot_q, rotate(q, cos, sin));
    const at::Tensor rot_k = pass(h.rot_k, rotate(k, cos, sin));
    // [b, h_kv, past + p, dh]
    auto [keys, values] = append_to_cache(rot_k.transpose(1, 2), v.transpose(1, 2), cached_keys, cached_values);
    if (const int64_t group = c.n_head / c.n_head_kv; group > 1) {  // query head h reads KV head h / group
      keys = keys.repeat_interleave(group, 1);
      values = values.repeat_interleave(group, 1);
    }
    const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
    const at::Tensor scores =
        pass(h.attn_scores, at::matmul(rot_q.transpose(1, 2), keys.transpose(2, 3)).mul_(scale).masked_fill_(hidden, -INFINITY));
    const at::Tensor pattern = pass(h.pattern, at::softmax(scores, -1));
    const at::Tensor z = pass(h.z, at::matmul(pattern, values).transpose(1, 2));  // [b, p, h, dh]
    const at::Tensor z_flat = z.reshape({batch, positions, c.n_embd});
    if (!pass.armed(h.result)) return project(z_flat, b.wo);
    // Opt-in per-head outputs: result[b, p, h] = W_O[:, h·dh : (h+1)·dh] z[b, p, h]; attn_out is their sum.
    const at::Tensor z_heads = activation_for(z_flat, b.wo).view({batch * positions, c.n_head, c.head_dim}).transpose(0, 1);
    const at::Tensor wo_heads = float_weight(b.wo).view({c.n_embd, c.n_head, c.head_dim}).permute({1, 2, 0});  // [h, dh, d]
    const at::Tensor result =
        pass(h.result, at::bmm(z_heads, wo_heads).view({c.n_head, batch, positions, c.n_embd}).permute({1, 2, 0, 3}));
    return result.sum(2);
  }

  at::Tensor mlp(const at::Tensor& x, const LlamaBlock& b, const BlockHooks& h, hooks::HookPass& pass) const {
    const at::Tensor pre = pass(h.mlp_pre, project(x, b.w_gate));
    const at::Tensor pre_linear = pass(h.mlp_pre_linear, project(x, b.w_up));
    return project(pass(h.mlp_post, at::silu(pre) * pre_linear), b.w_down);
  }

  /// The activation a matmul with `l` sees: as is, or rounded like llama.cpp when asked to.
  at::Tensor activation_for(const at::Tensor& x, const Linear& l) const {
    return options_.llama_cpp_rounding ? round_like_llama_cpp(x, l.stored, l.rows, options_.llama_cpp_amx) : x;
  }

  /// x · Wᵀ. A converted matrix of more than kRowsConvertedAtOnce rows (the vocabulary projection) goes
  /// in slices of rows, so its float copy is never whole.
  at::Tensor project(const at::Tensor& x, const Linear& l) const {
    const at::Tensor input = activation_for(x, l);
    if (l.weight.defined() || l.rotary_heads > 0 || l.rows <= kRowsConvertedAtOnce) return at::linear(input, float_weight(l));
    std::vector<at::Tensor> slices;
    for (int64_t first = 0; first < l.rows; first += kRowsConvertedAtOnce)
      slices.push_back(at::linear(input, float_rows(l, first, std::min(kRowsConvertedAtOnce, l.rows - first))));
    return at::cat(slices, -1);
  }

  /// The embeddings of token ids [b, p]: only the rows used are converted.
  at::Tensor embed(const at::Tensor& ids) const {
    if (token_embd_.weight.defined()) return at::embedding(token_embd_.weight, ids);
    const at::Tensor flat = ids.reshape({-1}).contiguous();
    at::Tensor out = at::empty({flat.numel(), config_.n_embd}, at::TensorOptions().dtype(at::kFloat));
    const int64_t* id = flat.data_ptr<int64_t>();
    for (int64_t i = 0; i < flat.numel(); ++i) convert_rows(token_embd_, id[i], 1, out.data_ptr<float>() + i * config_.n_embd);
    return out.view({ids.size(0), ids.size(1), config_.n_embd});
  }

  /// x · (1 / scale) rather than x / scale: llama.cpp's rounding (it multiplies by 1/sqrtf(mean + eps)).
  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, const NormHooks& h, hooks::HookPass& pass) const {
    const at::Tensor scale = pass(h.scale, (x.pow(2).mean(-1, true) + config_.rms_eps).sqrt());
    return pass(h.normalized, x * scale.reciprocal()) * weight;
  }

  /// cos and sin of position · inv_freq[i] for position ids [b or 1, p]: [b or 1, p, 1, d/2] (broadcast
  /// over heads).
  std::pair<at::Tensor, at::Tensor> rotary_tables(const at::Tensor& position_ids) const {
    const at::Tensor angles = (position_ids.to(at::kDouble).unsqueeze(-1) * inv_freq_).unsqueeze(2);
    return {at::cos(angles).to(at::kFloat), at::sin(angles).to(at::kFloat)};
  }

  /// HF's rotate_half: element i pairs with i + d/2.
  static at::Tensor rotate(const at::Tensor& t, const at::Tensor& cos, const at::Tensor& sin) {
    const int64_t half = t.size(-1) / 2;
    const at::Tensor first = t.narrow(-1, 0, half), second = t.narrow(-1, half, half);
    return at::cat({first * cos - second * sin, second * cos + first * sin}, -1);
  }

  std::shared_ptr<const ModelSource> file_;  // owns the memory map that F32 weights live in
  ModelOptions options_;
  LlamaConfig config_;
  static constexpr int64_t kRowsConvertedAtOnce = 16384;
  at::Tensor output_norm_;
  Linear token_embd_, output_;
  std::vector<LlamaBlock> blocks_;
  at::Tensor inv_freq_;  // double [d/2], on the model's device
  hooks::HookId embed_hook_ = 0;
  std::vector<BlockHooks> block_hooks_;
  NormHooks final_norm_hooks_{};
};

}  // namespace

std::unique_ptr<HookedLanguageModel> build_llama(std::shared_ptr<const ModelSource> file, const ModelOptions& options) {
  return std::make_unique<LlamaModel>(std::move(file), options);
}

}  // namespace oh::lm
