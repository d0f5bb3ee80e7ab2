#include "icl/analysis/weight_products.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>

#include <cassert>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace oh::icl::analysis {

std::vector<HeadProducts> layer_products(const LsaModel& model, int layer) {
  const LsaConfig& config = model.config();
  if (layer < 0 || layer >= config.layers)
    throw InputError(fmt::format("icl analysis: layer {} out of range (the model has {})", layer, config.layers));
  c10::NoGradGuard no_grad;
  const LsaLayerWeights& w = model.weights()[config.shared_weights ? 0 : static_cast<size_t>(layer)];
  const int64_t dk = config.head_dim();
  std::vector<HeadProducts> heads;
  for (int h = 0; h < config.heads; ++h) {
    const at::Tensor query = w.query[h].to(at::kDouble), key = w.key[h].to(at::kDouble);
    const at::Tensor value = w.value[h].to(at::kDouble);
    const at::Tensor projection = w.projection.narrow(1, h * dk, dk).to(at::kDouble);
    heads.push_back({at::matmul(key.t(), query), at::matmul(projection, value)});
  }
  return heads;
}

HeadProducts gd_products(int64_t input_dim, int64_t context_size, double eta, double gamma) {
  const int64_t d = input_dim;
  const auto options = at::TensorOptions().dtype(at::kDouble);
  at::Tensor kq = at::zeros({d + 1, d + 1}, options);
  kq.narrow(0, 0, d).narrow(1, 0, d).copy_(at::eye(d, options));
  at::Tensor pv = at::zeros({d + 1, d + 1}, options);
  pv[d][d] = -eta / static_cast<double>(context_size);
  pv.narrow(0, 0, d).narrow(1, 0, d).copy_(at::eye(d, options) * -gamma);
  return {kq, pv};
}

NormalizedProducts normalize_to(const HeadProducts& trained, const HeadProducts& reference) {
  const double along = (trained.kq * reference.kq).sum().item<double>();
  const double reference_norm2 = (reference.kq * reference.kq).sum().item<double>();
  const double scale = along / reference_norm2;
  // A component below rounding level relative to both norms leaves the scale undetermined.
  if (!std::isfinite(scale) || std::fabs(along) <= 1e-12 * std::sqrt(reference_norm2) * trained.kq.norm().item<double>())
    throw InputError("icl analysis: the trained W_KQ has no component along the construction's, so its scale is undetermined");
  NormalizedProducts n;
  n.scale = scale;
  n.products = {trained.kq / scale, trained.pv * scale};
  n.kq_relative_error = ((n.products.kq - reference.kq).norm() / reference.kq.norm()).item<double>();
  n.pv_relative_error = ((n.products.pv - reference.pv).norm() / reference.pv.norm()).item<double>();
  return n;
}

LsaModel model_from_products(const std::vector<std::vector<HeadProducts>>& layers) {
  assert(!layers.empty() && !layers.front().empty());
  const int64_t heads = static_cast<int64_t>(layers.front().size());
  const int64_t dt = layers.front().front().kq.size(0);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const at::Tensor identity = at::eye(dt, options).unsqueeze(0).expand({heads, dt, dt}).contiguous();
  std::vector<LsaLayerWeights> weights;
  for (const auto& layer : layers) {
    assert(static_cast<int64_t>(layer.size()) == heads);
    std::vector<at::Tensor> scores, values;
    for (const HeadProducts& head : layer) {
      scores.push_back(head.kq.to(at::kFloat));
      values.push_back(head.pv.to(at::kFloat));
    }
    weights.push_back({at::stack(scores), identity.clone(), identity.clone(), at::cat(values, 1)});
  }
  LsaConfig config;
  config.token_dim = dt;
  config.layers = static_cast<int>(layers.size());
  config.heads = static_cast<int>(heads);
  config.key_dim = dt;
  return LsaModel(config, std::move(weights));
}

}  // namespace oh::icl::analysis
