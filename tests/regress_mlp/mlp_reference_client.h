#pragma once
// Runs tests/regress_mlp/mlp_reference.py under Debian's /usr/bin/python3, which asks
// scikit-learn itself for an MLPRegressor's start vector, first loss and gradient, and fit.
#include <cstdint>
#include <vector>

#include "regress/regressor.h"

namespace oh::testing {

struct MlpReferenceCase {
  std::vector<int> hidden;
  uint32_t random_state = 0;
  regress::Matrix X_train;
  regress::Vector y_train;
  regress::Matrix X_test;
  bool fit = true;  // false: only the start, loss and gradient (fast)
};

struct MlpReference {
  std::vector<double> initial, gradient, prediction;
  double loss = 0.0;
  int n_iter = 0, nfev = 0;  // scipy's record (fit only)
  double final_loss = 0.0;
  double fit_seconds = 0.0;  // wall time of scikit-learn's fit
};

/// Every case in one Python process.
std::vector<MlpReference> sklearn_mlp(const std::vector<MlpReferenceCase>& cases);

}  // namespace oh::testing
