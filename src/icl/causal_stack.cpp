#include "icl/causal_stack.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <array>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "icl/mesa/mesa_attention.h"

namespace oh::icl {
namespace {

struct Architecture {
  const char* name;
  AttentionKind first, rest;
  bool mlp, layer_norm;
  PositionalEncoding positional;
};
// Softmax attention needs positions to tell the previous token from the others; the linear and mesa
// stacks read the tokens' own s_{t−1} block instead, as in the paper's constructions.
constexpr std::array<Architecture, 4> kArchitectures{{
    {"lsa", AttentionKind::linear, AttentionKind::linear, false, false, PositionalEncoding::none},
    {"mesa", AttentionKind::mesa, AttentionKind::mesa, false, false, PositionalEncoding::none},
    {"softmax", AttentionKind::softmax, AttentionKind::softmax, true, true, PositionalEncoding::learned},
    {"hybrid", AttentionKind::softmax, AttentionKind::mesa, false, false, PositionalEncoding::learned},
}};

constexpr std::array<std::pair<const char*, PositionalEncoding>, 3> kPositionalNames{{
    {"none", PositionalEncoding::none}, {"learned", PositionalEncoding::learned}, {"sinusoidal", PositionalEncoding::sinusoidal}}};

constexpr double kLayerNormEps = 1e-5;

/// Fixed sin/cos encodings (Vaswani et al.): even entries sin(p/10000^{2i/D}), odd entries cos.
at::Tensor sinusoidal_positions(int64_t length, int64_t d_model) {
  const at::Tensor position = at::arange(length, at::kDouble).unsqueeze(1);
  const at::Tensor pair = at::floor(at::arange(d_model, at::kDouble) / 2) * 2;
  const at::Tensor angle = position / at::pow(10000.0, pair / static_cast<double>(d_model));
  const at::Tensor even = (at::arange(d_model) % 2 == 0);
  return at::where(even, at::sin(angle), at::cos(angle)).to(at::kFloat);
}

}  // namespace

std::string stack_architecture_names() {
  std::string names;
  for (const Architecture& a : kArchitectures) names += (names.empty() ? "" : ", ") + std::string(a.name);
  return names;
}

StackConfig make_stack_config(const std::string& model, int layers, int64_t heads, int64_t d_model, int64_t output_dim,
                              int64_t max_positions) {
  std::vector<std::string> parts;
  std::stringstream in(model);
  for (std::string part; std::getline(in, part, ',');) parts.push_back(part);
  const Architecture* arch = nullptr;
  for (const Architecture& a : kArchitectures)
    if (!parts.empty() && parts[0] == a.name) arch = &a;
  if (!arch) throw InputError("unknown model '" + model + "' for sequence tasks (known: " + stack_architecture_names() + ")");
  if (layers <= 0) throw InputError("model '" + model + "': layers must be > 0, got " + std::to_string(layers));
  StackConfig c;
  c.d_model = d_model, c.output_dim = output_dim, c.heads = heads, c.max_positions = max_positions;
  c.layers.assign(static_cast<size_t>(layers), arch->rest);
  c.layers[0] = arch->first;
  c.mlp = arch->mlp, c.layer_norm = arch->layer_norm, c.positional = arch->positional;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& m = parts[i];
    if (m == "mlp" || m == "no-mlp") {
      c.mlp = m == "mlp";
    } else if (m == "ln" || m == "no-ln") {
      c.layer_norm = m == "ln";
    } else if (m.rfind("pos=", 0) == 0) {
      bool found = false;
      for (const auto& [name, value] : kPositionalNames)
        if (m.substr(4) == name) c.positional = value, found = true;
      if (!found) throw InputError("model '" + model + "': positions must be pos=none, pos=learned or pos=sinusoidal");
    } else if (m.rfind("lambda=", 0) == 0) {
      const std::string text = m.substr(7);
      size_t used = 0;
      double value = 0;
      try {
        value = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (text.empty() || used != text.size()) throw InputError("model '" + model + "': lambda=" + text + " is not a number");
      c.mesa_fixed_lambda = value;
    } else {
      throw InputError("model '" + model + "': unknown modifier '" + m +
                       "' (known: mlp, no-mlp, ln, no-ln, pos=none|learned|sinusoidal, lambda=V)");
    }
  }
  c.validate();
  return c;
}

void StackConfig::validate() const {
  const std::string where = "causal stack: ";
  if (d_model <= 0) throw InputError(where + "model width must be > 0, got " + std::to_string(d_model));
  if (output_dim <= 0 || output_dim > d_model)
    throw InputError(where + "output width must be in 1.." + std::to_string(d_model) + ", got " + std::to_string(output_dim));
  if (layers.empty()) throw InputError(where + "needs at least one layer");
  if (heads <= 0 || d_head < 0 || mlp_dim < 0)
    throw InputError(where + "heads must be > 0 and d_head, mlp_dim ≥ 0, got " + std::to_string(heads) + ", " + std::to_string(d_head) +
                     ", " + std::to_string(mlp_dim));
  if (positional == PositionalEncoding::learned && max_positions <= 0)
    throw InputError(where + "learned positions need the longest sequence length (> 0)");
  if (!std::isfinite(init_std) || init_std < 0) throw InputError(where + "init std must be finite and ≥ 0, got " + std::to_string(init_std));
  if (mesa_fixed_lambda) {
    if (std::find(layers.begin(), layers.end(), AttentionKind::mesa) == layers.end())
      throw InputError(where + "lambda= fixes the mesa layers' λ, and this stack has none");
    if (!(*mesa_fixed_lambda > 0) || !std::isfinite(*mesa_fixed_lambda))
      throw InputError(where + "a fixed λ must be positive and finite, got " + std::to_string(*mesa_fixed_lambda));
  }
}

at::Tensor CausalStack::add_parameter(const std::string& name, at::Tensor value) {
  parameters_.emplace_back(name, value);
  return value;
}

CausalStack::LayerNormHooks CausalStack::make_layer_norm(const std::string& prefix, int layer) {
  LayerNormHooks ln;
  ln.weight = add_parameter(prefix + "w", at::ones({config_.d_model}, at::kFloat));
  ln.bias = add_parameter(prefix + "b", at::zeros({config_.d_model}, at::kFloat));
  ln.scale = registry_.declare(prefix + "hook_scale", layer);
  ln.normalized = registry_.declare(prefix + "hook_normalized", layer);
  return ln;
}

CausalStack::CausalStack(StackConfig config, uint64_t seed) : config_(std::move(config)) {
  config_.validate();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t D = config_.d_model, inner = config_.heads * config_.head_dim(), m = config_.hidden_dim();
  auto draw = [&](int64_t rows, int64_t cols) { return at::normal(0.0, config_.init_std, {rows, cols}, gen, at::TensorOptions().dtype(at::kFloat)); };

  embed_ = registry_.declare("hook_embed");
  if (config_.positional != PositionalEncoding::none) pos_embed_ = registry_.declare("hook_pos_embed");
  if (config_.positional == PositionalEncoding::learned) positions_ = add_parameter("pos_embed", draw(config_.max_positions, D));

  for (int l = 0; l < static_cast<int>(config_.layers.size()); ++l) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    Block block;
    block.kind = config_.layers[static_cast<size_t>(l)];
    block.resid_pre = registry_.declare(b + "hook_resid_pre", l);
    if (config_.layer_norm) block.ln1 = make_layer_norm(b + "ln1.", l);
    if (block.kind == AttentionKind::mesa) {
      mesa::MesaAttentionOptions options;
      options.d_model = D, options.heads = config_.heads, options.d_head = config_.head_dim(), options.init_std = config_.init_std;
      options.fixed_lambda = config_.mesa_fixed_lambda;
      block.mesa = std::make_shared<mesa::MesaAttentionImpl>(options, registry_, l, gen);  // declares attn.* and hook_attn_out
      for (const auto& item : block.mesa->named_parameters()) add_parameter(b + "attn." + item.key(), item.value());
    } else {
      block.w_q = add_parameter(b + "attn.w_q", draw(inner, D));
      block.w_k = add_parameter(b + "attn.w_k", draw(inner, D));
      block.w_v = add_parameter(b + "attn.w_v", draw(inner, D));
      block.w_o = add_parameter(b + "attn.w_o", draw(D, inner));
      block.q = registry_.declare(b + "attn.hook_q", l);
      block.k = registry_.declare(b + "attn.hook_k", l);
      block.v = registry_.declare(b + "attn.hook_v", l);
      block.scores = registry_.declare(b + "attn.hook_attn_scores", l, 2);
      block.pattern = registry_.declare(b + "attn.hook_pattern", l, 2);
      block.z = registry_.declare(b + "attn.hook_z", l);
      block.attn_out = registry_.declare(b + "hook_attn_out", l);
    }
    if (config_.mlp) {
      block.resid_mid = registry_.declare(b + "hook_resid_mid", l);
      if (config_.layer_norm) block.ln2 = make_layer_norm(b + "ln2.", l);
      block.w_in = add_parameter(b + "mlp.w_in", draw(m, D));
      block.b_in = add_parameter(b + "mlp.b_in", at::zeros({m}, at::kFloat));
      block.w_out = add_parameter(b + "mlp.w_out", draw(D, m));
      block.b_out = add_parameter(b + "mlp.b_out", at::zeros({D}, at::kFloat));
      block.mlp_pre = registry_.declare(b + "mlp.hook_pre", l);
      block.mlp_post = registry_.declare(b + "mlp.hook_post", l);
      block.mlp_out = registry_.declare(b + "hook_mlp_out", l);
    }
    block.resid_post = registry_.declare(b + "hook_resid_post", l);
    blocks_.push_back(std::move(block));
  }
}

std::vector<at::Tensor> CausalStack::parameters() const {
  std::vector<at::Tensor> list;
  for (const auto& [name, value] : parameters_) list.push_back(value);
  return list;
}

at::Tensor CausalStack::parameter(const std::string& name) const {
  for (const auto& [key, value] : parameters_)
    if (key == name) return value;
  throw InputError("causal stack: no parameter '" + name + "'");
}

at::Tensor CausalStack::layer_norm(const LayerNormHooks& ln, const at::Tensor& x, hooks::HookPass& pass) const {
  const at::Tensor centred = x - x.mean(-1, true);
  const at::Tensor scale = pass(ln.scale, (centred.pow(2).mean(-1, true) + kLayerNormEps).sqrt());
  return pass(ln.normalized, centred / scale) * ln.weight + ln.bias;
}

at::Tensor CausalStack::attention(const Block& block, const at::Tensor& x, hooks::HookPass& pass) const {
  if (block.kind == AttentionKind::mesa) return block.mesa->forward(x, pass);
  const int64_t b = x.size(0), p = x.size(1), h = config_.heads, dh = config_.head_dim();
  auto project = [&](const at::Tensor& w) { return at::matmul(x, w.t()).view({b, p, h, dh}); };
  const at::Tensor q = pass(block.q, project(block.w_q)), k = pass(block.k, project(block.w_k)), v = pass(block.v, project(block.w_v));
  at::Tensor scores = at::matmul(q.permute({0, 2, 1, 3}), k.permute({0, 2, 3, 1}));  // [b, h, q, k]
  const at::Tensor future = at::ones({p, p}, x.options().dtype(at::kBool)).triu(1);
  at::Tensor pattern;
  if (block.kind == AttentionKind::softmax) {
    scores = pass(block.scores, (scores / std::sqrt(static_cast<double>(dh))).masked_fill(future, -std::numeric_limits<double>::infinity()));
    pattern = pass(block.pattern, at::softmax(scores, -1));
  } else {
    scores = pass(block.scores, scores.masked_fill(future, 0.0));
    pattern = pass(block.pattern, scores);  // linear attention: the pattern is the raw scores
  }
  const at::Tensor z = pass(block.z, at::matmul(pattern, v.permute({0, 2, 1, 3})).permute({0, 2, 1, 3}));  // [b, p, h, dh]
  return pass(block.attn_out, at::matmul(z.reshape({b, p, h * dh}), block.w_o.t()));
}

at::Tensor CausalStack::mlp(const Block& block, const at::Tensor& x, hooks::HookPass& pass) const {
  const at::Tensor pre = pass(block.mlp_pre, at::matmul(x, block.w_in.t()) + block.b_in);
  const at::Tensor post = pass(block.mlp_post, at::gelu(pre));
  return pass(block.mlp_out, at::matmul(post, block.w_out.t()) + block.b_out);
}

at::Tensor CausalStack::hooked_forward(const at::Tensor& tokens, hooks::HookPass& pass) const {
  const int64_t D = config_.d_model;
  if (!tokens.defined() || tokens.dim() != 3 || tokens.size(2) != D || tokens.size(1) < 1)
    throw InputError("causal stack: tokens must be [batch, positions ≥ 1, " + std::to_string(D) + "]");
  if (tokens.scalar_type() != at::kFloat) throw InputError("causal stack: tokens must be float32");
  const int64_t p = tokens.size(1);
  if (config_.positional == PositionalEncoding::learned && p > config_.max_positions)
    throw InputError("causal stack: " + std::to_string(p) + " positions, the learned encodings cover " + std::to_string(config_.max_positions));
  at::Tensor e = pass(embed_, tokens);
  if (config_.positional != PositionalEncoding::none) {
    const at::Tensor table = config_.positional == PositionalEncoding::learned ? positions_.narrow(0, 0, p) : sinusoidal_positions(p, D);
    e = e + pass(pos_embed_, table.unsqueeze(0).expand({tokens.size(0), p, D}));
  }
  for (size_t l = 0; l < blocks_.size(); ++l) {
    if (pass.stops_before(static_cast<int>(l))) return e;
    const Block& block = blocks_[l];
    e = pass(block.resid_pre, e);
    e = e + attention(block, config_.layer_norm ? layer_norm(block.ln1, e, pass) : e, pass);
    if (config_.mlp) {
      e = pass(block.resid_mid, e);
      e = e + mlp(block, config_.layer_norm ? layer_norm(block.ln2, e, pass) : e, pass);
    }
    e = pass(block.resid_post, e);
  }
  if (pass.stops_before(static_cast<int>(blocks_.size()))) return e;
  return e.narrow(2, 0, config_.output_dim);
}

}  // namespace oh::icl
