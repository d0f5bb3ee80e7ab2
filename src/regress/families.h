#pragma once
// Each family of the zoo contributes its registry entries; registry.cpp concatenates them.
#include <vector>

#include "regress/registry.h"

namespace oh::regress {

/// Closed-form and deterministic methods matched to 1e-9: linear models, kNN, kernels, SVR,
/// splines, baselines (exact_family.cpp).
std::vector<RegressorSpec> exact_family();
/// scikit-learn CART and its ensembles, bit-exact per seed (tree/tree_family.cpp).
std::vector<RegressorSpec> tree_family();
/// The lbfgs MLPs (mlp/mlp_family.cpp).
std::vector<RegressorSpec> mlp_family();

}  // namespace oh::regress
