#pragma once
// The path from a trained LSA stack to the GD construction (von Oswald et al. 2023): at each α the
// model whose every layer has the products (1−α)·trained + α·GD, the trained products first
// normalised to the construction's scale (weight_products.h), so α = 0 is the trained model's
// function and α = 1 the construction's. A low loss all along the path says the trained model sits
// in the same basin as GD, not merely at an equally good but different solution.
#include <cstdint>
#include <vector>

#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"

namespace oh::icl::analysis {

struct InterpolationPoint {
  double alpha = 0;
  double loss = 0;  // ½ MSE on the tasks
};

/// Single-head models only (the construction has one head; InputError otherwise). `eta` is the
/// construction's step size; `alphas` the path's points.
std::vector<InterpolationPoint> interpolate_to_gd(const LsaModel& trained, double eta, const LinearTasks& tasks,
                                                  const std::vector<double>& alphas);

/// 0, 1/(count−1), …, 1.
std::vector<double> uniform_alphas(int count);

}  // namespace oh::icl::analysis
