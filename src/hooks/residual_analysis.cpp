#include "hooks/residual_analysis.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace oh::hooks {
namespace {

std::string block_point(int layer, const char* name) { return "blocks." + std::to_string(layer) + "." + name; }

/// `layer` with -1 read as the block count; InputError outside -1..n_layers.
int checked_layer(int layer, int n_layers, const char* analysis) {
  if (layer == -1) return n_layers;
  if (layer < 0 || layer > n_layers)
    throw InputError(std::string(analysis) + ": layer " + std::to_string(layer) + " is outside -1.." + std::to_string(n_layers));
  return layer;
}

/// Collects [b, p, ...] cache entries at `positions` (dimension 1) into one stack.
class StackBuilder {
 public:
  StackBuilder(const ActivationCache& cache, const PositionSlice& positions) : cache_(cache), positions_(positions) {}

  void add(const std::string& name, std::string label) { add_tensor(cache_.at(name), std::move(label)); }
  void add_tensor(const at::Tensor& value, std::string label) {
    parts_.push_back(positions_.apply(value, 1));
    stack_.labels.push_back(std::move(label));
  }

  ResidualStack finish(const char* analysis) {
    if (parts_.empty()) throw InputError(std::string(analysis) + ": no components before layer 0");
    stack_.components = at::stack(parts_);
    return std::move(stack_);
  }

 private:
  const ActivationCache& cache_;
  const PositionSlice& positions_;
  std::vector<at::Tensor> parts_;
  ResidualStack stack_;
};

void check_token(const OutputHead& head, int64_t token) {
  const int64_t vocab = head.W_U.size(1);
  if (token < 0 || token >= vocab)
    throw InputError("logit attribution: token " + std::to_string(token) + " is outside the vocabulary [0, " +
                     std::to_string(vocab) + ")");
}

/// W_U[:, token] − W_U[:, other] (or W_U[:, token]), [d].
at::Tensor logit_direction(const OutputHead& head, int64_t token, std::optional<int64_t> other) {
  check_token(head, token);
  at::Tensor direction = head.W_U.select(1, token);
  if (other) {
    check_token(head, *other);
    direction = direction - head.W_U.select(1, *other);
  }
  return direction;
}

}  // namespace

ResidualStack accumulated_resid(const ActivationCache& cache, int n_layers, int layer, bool incl_mid,
                                const PositionSlice& positions) {
  layer = checked_layer(layer, n_layers, "accumulated_resid");
  StackBuilder stack(cache, positions);
  for (int l = 0; l <= layer; ++l) {
    if (l == n_layers) {
      stack.add(block_point(n_layers - 1, "hook_resid_post"), "final_post");
      break;
    }
    stack.add(block_point(l, "hook_resid_pre"), std::to_string(l) + "_pre");
    if (incl_mid && l < layer) stack.add(block_point(l, "hook_resid_mid"), std::to_string(l) + "_mid");
  }
  return stack.finish("accumulated_resid");
}

ResidualStack decompose_resid(const ActivationCache& cache, int n_layers, int layer, const PositionSlice& positions) {
  layer = checked_layer(layer, n_layers, "decompose_resid");
  StackBuilder stack(cache, positions);
  stack.add("hook_embed", "embed");
  if (cache.contains("hook_pos_embed")) stack.add("hook_pos_embed", "pos_embed");
  for (int l = 0; l < layer; ++l) {
    stack.add(block_point(l, "hook_attn_out"), std::to_string(l) + "_attn_out");
    stack.add(block_point(l, "hook_mlp_out"), std::to_string(l) + "_mlp_out");
  }
  return stack.finish("decompose_resid");
}

ResidualStack stack_head_results(const ActivationCache& cache, int n_layers, int layer, const PositionSlice& positions) {
  layer = checked_layer(layer, n_layers, "stack_head_results");
  StackBuilder stack(cache, positions);
  for (int l = 0; l < layer; ++l) {
    const at::Tensor& result = cache.at(block_point(l, "attn.hook_result"));  // [b, p, h, d]
    for (int64_t h = 0; h < result.size(2); ++h)
      stack.add_tensor(result.select(2, h), "L" + std::to_string(l) + "H" + std::to_string(h));
  }
  return stack.finish("stack_head_results");
}

at::Tensor apply_ln(const at::Tensor& stack, const ActivationCache& cache, const OutputHead& head, LensConvention convention,
                    const PositionSlice& positions) {
  const bool layer_norm = head.norm_kind == OutputHead::NormKind::Layer;
  const at::Tensor centred = layer_norm ? stack - stack.mean(-1, true) : stack;
  if (convention == LensConvention::CachedScale) {
    const at::Tensor scale = positions.apply(cache.at("ln_final.hook_scale"), 1);  // [b, p, 1]
    return centred / scale * head.norm_weight;
  }
  const at::Tensor scale = (centred.pow(2).mean(-1, true) + head.norm_eps).sqrt();
  at::Tensor normed = centred / scale * head.norm_weight;
  if (head.norm_bias.defined()) normed = normed + head.norm_bias;
  return normed;
}

at::Tensor logit_attrs(const at::Tensor& stack, const OutputHead& head, int64_t token, std::optional<int64_t> other) {
  return at::matmul(stack, logit_direction(head, token, other));
}

double logit_bias(const OutputHead& head, int64_t token, std::optional<int64_t> other) {
  const at::Tensor direction = logit_direction(head, token, other);
  double bias = 0;
  if (head.norm_bias.defined()) bias += at::dot(head.norm_bias, direction).item<double>();
  if (head.b_U.defined()) {
    bias += head.b_U[token].item<double>();
    if (other) bias -= head.b_U[*other].item<double>();
  }
  return bias;
}

}  // namespace oh::hooks
