#include "regress/neighbors/knn_regressor.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "regress/neighbors/minkowski.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {

KNeighborsRegressor::KNeighborsRegressor(int k, NeighborWeights weights, double p)
    : requested_k_(k), weights_(weights), p_(p) {
  if (k < 0) throw std::invalid_argument("knn: n_neighbors must be positive");
  if (!(p > 0.0)) throw std::invalid_argument("knn: Minkowski p must be > 0");
}

void KNeighborsRegressor::fit(const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size()) throw MethodFailure("knn: needs matching, non-empty X and y");
  const Eigen::Index n = X.rows();
  k_ = requested_k_ > 0 ? requested_k_ : (n < 3 ? 1 : n < 7 ? 3 : 5);
  if (k_ > n)
    throw MethodFailure("knn: n_neighbors=" + std::to_string(k_) + " > n_samples=" + std::to_string(n));
  X_ = X;
  y_ = y;
  // scikit-learn's algorithm='auto' choice.
  const bool brute = X.cols() > 15 || k_ >= n / 2 || p_ < 1.0;
  tree_ = brute ? nullptr : std::make_unique<KdTreeOrder>(X, p_);
}

void KNeighborsRegressor::neighbors(const double* point, long stride, double* values, long* indices,
                                    std::vector<double>& scratch, std::vector<long>& order) const {
  const long n = X_.rows(), d = X_.cols();
  if (p_ < 1.0) {
    for (long i = 0; i < n; ++i)
      scratch[i] = minkowski_from_reduced(minkowski_reduced(point, &X_(i, 0), d, stride, X_.rows(), p_), p_);
    std::iota(order.begin(), order.end(), 0L);
    std::stable_sort(order.begin(), order.end(), [&](long a, long b) { return scratch[a] < scratch[b]; });
    for (int i = 0; i < k_; ++i) {
      indices[i] = order[i];
      values[i] = minkowski_reduced(point, &X_(order[i], 0), d, stride, X_.rows(), p_);
    }
    return;
  }
  std::fill(values, values + k_, std::numeric_limits<double>::infinity());
  std::fill(indices, indices + k_, 0L);
  if (tree_) {
    tree_->query(point, stride, values, indices, k_);
  } else {
    for (long i = 0; i < n; ++i)
      neighbor_heap_push(values, indices, k_, minkowski_reduced(point, &X_(i, 0), d, stride, X_.rows(), p_), i);
  }
  // Nearest first, equal distances by row, as scikit-learn returns them (insertion sort: k ≤ n
  // is small and this runs once per test row).
  for (int i = 1; i < k_; ++i) {
    const double value = values[i];
    const long index = indices[i];
    int j = i;
    for (; j > 0 && (values[j - 1] > value || (values[j - 1] == value && indices[j - 1] > index)); --j) {
      values[j] = values[j - 1];
      indices[j] = indices[j - 1];
    }
    values[j] = value;
    indices[j] = index;
  }
}

Vector KNeighborsRegressor::predict(const Matrix& X) const {
  if (X.cols() != X_.cols())
    throw std::invalid_argument("knn: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(X_.cols()));
  Vector out(X.rows());
  const size_t k = static_cast<size_t>(k_);
  std::vector<double> values(k), terms(k), weights(k), scratch(static_cast<size_t>(X_.rows()));
  std::vector<long> indices(k), order(static_cast<size_t>(X_.rows()));
  for (Eigen::Index row = 0; row < X.rows(); ++row) {
    neighbors(&X(row, 0), X.rows(), values.data(), indices.data(), scratch, order);
    if (weights_ == NeighborWeights::kUniform) {
      for (size_t i = 0; i < k; ++i) terms[i] = y_(indices[i]);
      out(row) = numerics::pairwise_sum(terms.data(), k_) / k_;
      continue;
    }
    // 1/d weights; when a neighbour coincides with the query, those get weight 1, the others 0.
    const bool exact_hit = std::find(values.begin(), values.end(), 0.0) != values.end();
    for (size_t i = 0; i < k; ++i) {
      const double d = minkowski_from_reduced(values[i], p_);
      weights[i] = exact_hit ? (d == 0.0 ? 1.0 : 0.0) : 1.0 / d;
      terms[i] = y_(indices[i]) * weights[i];
    }
    out(row) = numerics::pairwise_sum(terms.data(), k_) / numerics::pairwise_sum(weights.data(), k_);
  }
  return out;
}

}  // namespace oh::regress
