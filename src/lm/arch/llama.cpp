// The Llama architecture on ATen. The only translation unit of the engine that includes libtorch's
// headers (~40 s to compile): keep tensor code here and expose torch-free interfaces.
#include "lm/arch/llama.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "lm/format/gguf_reader.h"

namespace oh::lm {
namespace {

struct LlamaConfig {
  int64_t n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0, vocab = 0;
  double rms_eps = 0, rope_base = 0;
};

/// A weight matrix as float32 and the type it was stored in (llama.cpp's activation rounding depends on it).
struct Linear {
  at::Tensor weight;
  GgmlType stored = GgmlType::F32;
};

struct LlamaBlock {
  at::Tensor attn_norm, ffn_norm;
  Linear wq, wk, wv, wo, w_gate, w_up, w_down;
};

/// What llama.cpp's CPU matmul does to the activations before multiplying by a `stored` weight: it
/// converts them to the weight's dot-product type (fp16 for F16, Q8_0 blocks of 32 for Q8_0).
at::Tensor round_like_llama_cpp(const at::Tensor& x, GgmlType stored) {
  if (stored == GgmlType::F16) return x.to(at::kHalf).to(at::kFloat);
  if (stored != GgmlType::Q8_0) return x;
  at::Tensor rounded = x.contiguous().clone();
  std::vector<uint8_t> blocks(static_cast<size_t>(rounded.numel()) / kQ8_0BlockElements * kQ8_0BlockBytes);
  float* values = rounded.data_ptr<float>();
  quantize(GgmlType::Q8_0, values, blocks.data(), static_cast<size_t>(rounded.numel()));
  dequantize(GgmlType::Q8_0, blocks.data(), values, static_cast<size_t>(rounded.numel()));
  return rounded;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

LlamaConfig read_config(const GgufFile& file) {
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
  if (file.find_tensor("rope_freqs.weight"))
    throw InputError(file.path() + ": rope_freqs (Llama-3.1 rope scaling) is not supported yet");
  c.vocab = static_cast<int64_t>(file.tensor("token_embd.weight").shape().front());
  return c;
}

/// Weights as float32 tensors: F32 in place on the memory map, other types dequantised at load.
class WeightLoader {
 public:
  explicit WeightLoader(const GgufFile& file) : file_(file) {}

  at::Tensor operator()(const std::string& name, const std::vector<int64_t>& expected) const {
    const GgufTensorInfo& info = file_.tensor(name);
    const std::vector<uint64_t> dims = info.shape();
    const std::vector<int64_t> shape(dims.begin(), dims.end());
    if (shape != expected)
      throw InputError(file_.path() + ": tensor '" + name + "' has shape " + shape_text(shape) + ", expected " +
                       shape_text(expected));
    if (info.type == GgmlType::F32)
      return at::from_blob(const_cast<uint8_t*>(info.data), shape, at::TensorOptions().dtype(at::kFloat));
    if (!is_convertible(info.type))
      throw InputError(file_.path() + ": tensor '" + name + "' has type " + ggml_type_traits(info.type).name +
                       ", which this engine cannot read yet (F32, F16, Q8_0)");
    at::Tensor values = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    dequantize(info.type, info.data, values.data_ptr<float>(), static_cast<size_t>(info.element_count()));
    return values;
  }

 private:
  const GgufFile& file_;
};

/// GGUF stores Q and K rows per head in Meta's adjacent-pair rotary layout (rows 2i, 2i+1 rotate
/// together); the canonical layout is HF's half-split one (row i with row i + d/2), so hook_q/hook_k
/// do not depend on the file format. Row (h, i, c) moves to (h, c, i). This copies Q and K (the only
/// F32 weights not used in place from the memory map).
at::Tensor to_half_split_rows(const at::Tensor& weight, int64_t heads, int64_t head_dim) {
  return weight.view({heads, head_dim / 2, 2, weight.size(1)}).transpose(1, 2).reshape({heads * head_dim, weight.size(1)});
}

class LlamaModel final : public LanguageModel {
 public:
  LlamaModel(std::shared_ptr<const GgufFile> file, const ModelOptions& options)
      : file_(std::move(file)), options_(options), config_(read_config(*file_)) {
    const LlamaConfig& c = config_;
    const WeightLoader load(*file_);
    const int64_t kv_dim = c.n_head_kv * c.head_dim;
    auto linear = [&](const std::string& name, const std::vector<int64_t>& shape) {
      return Linear{load(name, shape), file_->tensor(name).type};
    };
    token_embd_ = load("token_embd.weight", {c.vocab, c.n_embd});
    for (int64_t l = 0; l < c.n_layer; ++l) {
      const std::string p = "blk." + std::to_string(l) + ".";
      LlamaBlock b;
      b.attn_norm = load(p + "attn_norm.weight", {c.n_embd});
      b.wq = linear(p + "attn_q.weight", {c.n_embd, c.n_embd});
      b.wq.weight = to_half_split_rows(b.wq.weight, c.n_head, c.head_dim);
      b.wk = linear(p + "attn_k.weight", {kv_dim, c.n_embd});
      b.wk.weight = to_half_split_rows(b.wk.weight, c.n_head_kv, c.head_dim);
      b.wv = linear(p + "attn_v.weight", {kv_dim, c.n_embd});
      b.wo = linear(p + "attn_output.weight", {c.n_embd, c.n_embd});
      b.ffn_norm = load(p + "ffn_norm.weight", {c.n_embd});
      b.w_gate = linear(p + "ffn_gate.weight", {c.n_ff, c.n_embd});
      b.w_up = linear(p + "ffn_up.weight", {c.n_ff, c.n_embd});
      b.w_down = linear(p + "ffn_down.weight", {c.n_embd, c.n_ff});
      blocks_.push_back(std::move(b));
    }
    output_norm_ = load("output_norm.weight", {c.n_embd});
    output_ = file_->find_tensor("output.weight") ? linear("output.weight", {c.vocab, c.n_embd})
                                                  : Linear{token_embd_, file_->tensor("token_embd.weight").type};
    // Inverse frequencies base^(-2i/d) of rotary pair i, in double so the angles carry no float rounding.
    inv_freq_.resize(static_cast<size_t>(c.head_dim / 2));
    for (size_t i = 0; i < inv_freq_.size(); ++i)
      inv_freq_[i] = std::pow(c.rope_base, -2.0 * static_cast<double>(i) / static_cast<double>(c.head_dim));
  }

  const std::string& architecture() const override { return name_; }
  int64_t vocab_size() const override { return config_.vocab; }

 protected:
  LogitsMatrix forward(const std::vector<int64_t>& tokens) const override {
    c10::InferenceMode inference;
    const LlamaConfig& c = config_;
    const int64_t positions = static_cast<int64_t>(tokens.size());
    const at::Tensor ids = at::tensor(tokens, at::TensorOptions().dtype(at::kLong));
    at::Tensor x = at::index_select(token_embd_, 0, ids).unsqueeze(0);  // [b=1, p, d]
    const auto [cos, sin] = rotary_tables(positions);
    const at::Tensor causal_mask = at::ones({positions, positions}, at::TensorOptions().dtype(at::kBool)).triu(1);
    const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
    const int64_t group = c.n_head / c.n_head_kv;
    for (const LlamaBlock& b : blocks_) {
      const at::Tensor h = rms_norm(x, b.attn_norm);
      at::Tensor q = project(h, b.wq).view({1, positions, c.n_head, c.head_dim});
      at::Tensor k = project(h, b.wk).view({1, positions, c.n_head_kv, c.head_dim});
      at::Tensor v = project(h, b.wv).view({1, positions, c.n_head_kv, c.head_dim});
      q = rotate(q, cos, sin).transpose(1, 2);  // [b, h, p, dh]
      k = rotate(k, cos, sin).transpose(1, 2);
      v = v.transpose(1, 2);
      if (group > 1) {  // query head h reads KV head h / group
        k = k.repeat_interleave(group, 1);
        v = v.repeat_interleave(group, 1);
      }
      const at::Tensor scores = at::matmul(q, k.transpose(2, 3)).mul_(scale).masked_fill_(causal_mask, -INFINITY);
      const at::Tensor z = at::matmul(at::softmax(scores, -1), v);  // [b, h, p, dh]
      x = x + project(z.transpose(1, 2).reshape({1, positions, c.n_embd}), b.wo);
      const at::Tensor m = rms_norm(x, b.ffn_norm);
      x = x + project(at::silu(project(m, b.w_gate)) * project(m, b.w_up), b.w_down);
    }
    const at::Tensor logits = project(rms_norm(x, output_norm_), output_).squeeze(0).contiguous();
    LogitsMatrix out;
    out.positions = positions;
    out.vocab = c.vocab;
    out.values.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    return out;
  }

 private:
  at::Tensor project(const at::Tensor& x, const Linear& l) const {
    return at::linear(options_.llama_cpp_rounding ? round_like_llama_cpp(x, l.stored) : x, l.weight);
  }

  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight) const {
    return x * at::rsqrt(x.pow(2).mean(-1, true) + config_.rms_eps) * weight;
  }

  /// cos and sin of pos · inv_freq[i], [p, 1, d/2] (broadcast over heads).
  std::pair<at::Tensor, at::Tensor> rotary_tables(int64_t positions) const {
    const at::Tensor pos = at::arange(positions, at::TensorOptions().dtype(at::kDouble));
    const at::Tensor freq = at::tensor(inv_freq_, at::TensorOptions().dtype(at::kDouble));
    const at::Tensor angles = at::outer(pos, freq).unsqueeze(1);
    return {at::cos(angles).to(at::kFloat), at::sin(angles).to(at::kFloat)};
  }

  /// HF's rotate_half: element i pairs with i + d/2.
  static at::Tensor rotate(const at::Tensor& t, const at::Tensor& cos, const at::Tensor& sin) {
    const int64_t half = t.size(-1) / 2;
    const at::Tensor first = t.narrow(-1, 0, half), second = t.narrow(-1, half, half);
    return at::cat({first * cos - second * sin, second * cos + first * sin}, -1);
  }

  const std::string name_ = "llama";
  std::shared_ptr<const GgufFile> file_;  // owns the memory map that F32 weights live in
  ModelOptions options_;
  LlamaConfig config_;
  at::Tensor token_embd_, output_norm_;
  Linear output_;
  std::vector<LlamaBlock> blocks_;
  std::vector<double> inv_freq_;
};

}  // namespace

std::unique_ptr<LanguageModel> build_llama(std::shared_ptr<const GgufFile> file, const ModelOptions& options) {
  return std::make_unique<LlamaModel>(std::move(file), options);
}

}  // namespace oh::lm
