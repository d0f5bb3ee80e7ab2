#include "regress/tree/bootstrap_ensemble.h"

#include <algorithm>
#include <string>

#include "core/numpy_random.h"
#include "regress/tree/training_data.h"

namespace oh::regress::tree {

void BootstrapTreeEnsemble::fit(const Matrix& X, const Vector& y) {
  check_training_data(X, y, method_name());
  const FeatureMatrix features(X);
  const int n = features.rows();
  std::vector<double> counts(static_cast<size_t>(n));
  CartBuilder builder(params_);
  const auto seeds = draw_tree_seeds();
  trees_.assign(seeds.size(), CartTree());
  for (size_t t = 0; t < seeds.size(); ++t) {
    // np.bincount(randint(0, n, n)) multiplied into a weight vector of ones.
    RandomState bootstrap(seeds[t].bootstrap_seed);
    std::fill(counts.begin(), counts.end(), 0.0);
    for (int k = 0; k < n; ++k) counts[static_cast<size_t>(bootstrap.randint(0, n))] += 1.0;
    builder.fit(features, y.data(), counts.data(), seeds[t].splitter_seed, trees_[t]);
  }
  n_features_ = X.cols();
}

Vector BootstrapTreeEnsemble::predict(const Matrix& X) const {
  check_prediction_data(X, n_features_, method_name());
  const FeatureMatrix features(X);
  // Trees are accumulated one after the other into zeros, then divided (scikit-learn's order).
  Vector sum = Vector::Zero(X.rows());
  for (const auto& tree : trees_)
    for (int i = 0; i < features.rows(); ++i) sum[i] += tree.predict_row(features, i);
  const double n_trees = static_cast<double>(trees_.size());
  for (auto& value : sum) value /= n_trees;
  return sum;
}

}  // namespace oh::regress::tree
