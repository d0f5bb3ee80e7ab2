#include "icl/analysis/interpolation.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "icl/analysis/model_loss.h"
#include "icl/analysis/weight_products.h"

namespace oh::icl::analysis {

std::vector<InterpolationPoint> interpolate_to_gd(const LsaModel& trained, double eta, const LinearTasks& tasks,
                                                  const std::vector<double>& alphas) {
  const LsaConfig& config = trained.config();
  if (config.heads != 1) throw InputError("icl analysis: interpolation to the GD construction needs a 1-head model");
  const int64_t d = config.token_dim - 1;
  const HeadProducts gd = gd_products(d, tasks.x.size(1), eta);
  std::vector<HeadProducts> normalized;
  for (int l = 0; l < config.layers; ++l) normalized.push_back(normalize_to(layer_products(trained, l).front(), gd).products);

  std::vector<InterpolationPoint> path;
  for (const double alpha : alphas) {
    std::vector<std::vector<HeadProducts>> layers;
    for (const HeadProducts& t : normalized)
      layers.push_back({{t.kq * (1 - alpha) + gd.kq * alpha, t.pv * (1 - alpha) + gd.pv * alpha}});
    path.push_back({alpha, model_loss(model_from_products(layers), tasks)});
  }
  return path;
}

std::vector<double> uniform_alphas(int count) {
  if (count < 2) throw InputError("icl analysis: an interpolation path needs at least 2 points");
  std::vector<double> alphas;
  for (int i = 0; i < count; ++i) alphas.push_back(static_cast<double>(i) / (count - 1));
  return alphas;
}

}  // namespace oh::icl::analysis
