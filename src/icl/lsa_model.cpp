#include "icl/lsa_model.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cassert>
#include <cmath>
#include <string>

#include "core/error.h"
#include "icl/kernels/lsa_query_readout.h"

namespace oh::icl {

void LsaConfig::validate() const {
  if (token_dim <= 1) throw InputError("lsa: token dimension must be > 1 (d + 1), got " + std::to_string(token_dim));
  if (layers <= 0) throw InputError("lsa: layers must be > 0, got " + std::to_string(layers));
  if (heads <= 0) throw InputError("lsa: heads must be > 0, got " + std::to_string(heads));
  if (key_dim < 0) throw InputError("lsa: key dimension must be ≥ 0 (0 = token dimension), got " + std::to_string(key_dim));
}

LsaModel::LsaModel(LsaConfig config, std::vector<LsaLayerWeights> weights) : config_(config), weights_(std::move(weights)) {
  config_.validate();
  const size_t expected = config_.shared_weights ? 1 : static_cast<size_t>(config_.layers);
  if (weights_.size() != expected)
    throw InputError("lsa: expected " + std::to_string(expected) + " weight sets, got " + std::to_string(weights_.size()));
  const int64_t h = config_.heads, dk = config_.head_dim(), d = config_.token_dim;
  for (const LsaLayerWeights& w : weights_) {
    for (const at::Tensor* t : {&w.query, &w.key, &w.value})
      if (t->sizes() != at::IntArrayRef{h, dk, d}) throw InputError("lsa: query/key/value weights must be [heads, key_dim, token_dim]");
    if (w.projection.sizes() != at::IntArrayRef{d, h * dk}) throw InputError("lsa: projection must be [token_dim, heads·key_dim]");
  }
  embed_ = registry_.declare("hook_embed");
  for (int l = 0; l < config_.layers; ++l) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    // Scores and patterns are [b, h, q, k]: positions are the queries, dimension 2.
    blocks_.push_back({registry_.declare(b + "hook_resid_pre", l), registry_.declare(b + "attn.hook_q", l),
                       registry_.declare(b + "attn.hook_k", l), registry_.declare(b + "attn.hook_v", l),
                       registry_.declare(b + "attn.hook_attn_scores", l, 2), registry_.declare(b + "attn.hook_pattern", l, 2),
                       registry_.declare(b + "attn.hook_z", l), registry_.declare(b + "hook_attn_out", l),
                       registry_.declare(b + "hook_resid_post", l)});
  }
}

LsaModel LsaModel::random(const LsaConfig& config, double init_std, uint64_t seed) {
  config.validate();
  if (!std::isfinite(init_std) || init_std < 0) throw InputError("lsa: init std must be finite and ≥ 0, got " + std::to_string(init_std));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const int64_t h = config.heads, dk = config.head_dim(), d = config.token_dim;
  std::vector<LsaLayerWeights> weights;
  for (int l = 0; l < (config.shared_weights ? 1 : config.layers); ++l)
    weights.push_back({at::normal(0.0, init_std, {h, dk, d}, gen, options), at::normal(0.0, init_std, {h, dk, d}, gen, options),
                       at::normal(0.0, init_std, {h, dk, d}, gen, options), at::normal(0.0, init_std, {d, h * dk}, gen, options)});
  return LsaModel(config, std::move(weights));
}

std::vector<at::Tensor> LsaModel::parameters() const {
  std::vector<at::Tensor> list;
  for (const LsaLayerWeights& w : weights_) list.insert(list.end(), {w.query, w.key, w.value, w.projection});
  return list;
}

LsaModel LsaModel::detached() const {
  std::vector<LsaLayerWeights> copies;
  for (const LsaLayerWeights& w : weights_)
    copies.push_back({w.query.detach().clone(), w.key.detach().clone(), w.value.detach().clone(), w.projection.detach().clone()});
  return LsaModel(config_, std::move(copies));
}

at::Tensor LsaModel::hooked_forward(const at::Tensor& tokens, hooks::HookPass& pass) const {
  if (tokens.dim() != 3 || tokens.size(2) != config_.token_dim || tokens.size(1) < 2)
    throw InputError("lsa: tokens must be [batch, N+1 ≥ 2, " + std::to_string(config_.token_dim) + "], got " + std::to_string(tokens.dim()) + " dimensions");
  const int64_t b = tokens.size(0), p = tokens.size(1), n = p - 1, h = config_.heads, dk = config_.head_dim();
  at::Tensor e = pass(embed_, tokens);
  for (int l = 0; l < config_.layers; ++l) {
    if (pass.stops_before(l)) return e;
    const BlockHooks& hook = blocks_[static_cast<size_t>(l)];
    const LsaLayerWeights& w = weights_[config_.shared_weights ? 0 : static_cast<size_t>(l)];
    e = pass(hook.resid_pre, e);
    if (l == config_.layers - 1 && config_.fused_readout && !pass.stops_before(config_.layers) &&
        !(pass.armed(hook.q) || pass.armed(hook.k) || pass.armed(hook.v) || pass.armed(hook.scores) || pass.armed(hook.pattern) ||
          pass.armed(hook.z) || pass.armed(hook.attn_out) || pass.armed(hook.resid_post)))
      return -kernels::lsa_query_readout(e, w.query, w.key, w.value, w.projection).select(1, config_.token_dim - 1);
    const at::Tensor context = e.narrow(1, 0, n);
    const at::Tensor q = pass(hook.q, at::matmul(e, w.query.reshape({h * dk, -1}).t()).view({b, p, h, dk}));
    const at::Tensor k = pass(hook.k, at::matmul(context, w.key.reshape({h * dk, -1}).t()).view({b, n, h, dk}));
    const at::Tensor v = pass(hook.v, at::matmul(context, w.value.reshape({h * dk, -1}).t()).view({b, n, h, dk}));
    const at::Tensor scores = pass(hook.scores, at::matmul(q.permute({0, 2, 1, 3}), k.permute({0, 2, 3, 1})));  // [b, h, p, N]
    const at::Tensor pattern = pass(hook.pattern, scores);  // linear attention: the pattern is the raw scores
    const at::Tensor z = pass(hook.z, at::matmul(pattern, v.permute({0, 2, 1, 3})).permute({0, 2, 1, 3}));  // [b, p, h, dk]
    const at::Tensor attn_out = pass(hook.attn_out, at::matmul(z.reshape({b, p, h * dk}), w.projection.t()));
    e = pass(hook.resid_post, e + attn_out);
  }
  if (pass.stops_before(config_.layers)) return e;
  return -e.select(1, p - 1).select(1, config_.token_dim - 1);
}

}  // namespace oh::icl
