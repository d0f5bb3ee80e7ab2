#include "regress/neighbors/knn_regressor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

/// scikit-learn's heap_push on a max-heap of `size` (value, index) pairs: rejects a value not
/// strictly below the root, otherwise replaces the root and sifts it down.
void heap_push(double* values, Eigen::Index* indices, int size, double value, Eigen::Index index) {
  if (value >= values[0]) return;
  int current = 0;
  while (true) {
    const int left = 2 * current + 1, right = left + 1;
    int swap = -1;
    if (left >= size) break;
    if (right >= size) {
      if (values[left] > value) swap = left;
    } else if (values[left] >= values[right]) {
      if (value < values[left]) swap = left;
    } else if (value < values[right]) {
      swap = right;
    }
    if (swap < 0) break;
    values[current] = values[swap];
    indices[current] = indices[swap];
    current = swap;
  }
  values[current] = value;
  indices[current] = index;
}

}  // namespace

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
}

double KNeighborsRegressor::reduced_distance(const Matrix& X, Eigen::Index row, Eigen::Index train) const {
  double sum = 0.0;
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const double d = X(row, j) - X_(train, j);
    if (p_ == 2.0) sum += d * d;
    else if (p_ == 1.0) sum += std::fabs(d);
    else if (p_ == 0.5) sum += std::sqrt(std::fabs(d));  // numpy's x**0.5 fast path
    else sum += std::pow(std::fabs(d), p_);
  }
  return sum;
}

double KNeighborsRegressor::distance_from_reduced(double reduced) const {
  if (p_ == 2.0) return std::sqrt(reduced);
  if (p_ == 1.0) return reduced;
  if (p_ == 0.5) return reduced * reduced;  // numpy's x**2.0 fast path
  return std::pow(reduced, 1.0 / p_);
}

Vector KNeighborsRegressor::predict(const Matrix& X) const {
  if (X.cols() != X_.cols())
    throw std::invalid_argument("knn: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(X_.cols()));
  Vector out(X.rows());
  std::vector<double> heap_values(static_cast<size_t>(k_));
  std::vector<Eigen::Index> heap_indices(static_cast<size_t>(k_));
  std::vector<int> order(static_cast<size_t>(k_));
  std::vector<double> terms(static_cast<size_t>(k_));
  std::vector<double> weights(static_cast<size_t>(k_));
  for (Eigen::Index row = 0; row < X.rows(); ++row) {
    std::fill(heap_values.begin(), heap_values.end(), std::numeric_limits<double>::infinity());
    std::fill(heap_indices.begin(), heap_indices.end(), 0);
    for (Eigen::Index train = 0; train < X_.rows(); ++train)
      heap_push(heap_values.data(), heap_indices.data(), k_, reduced_distance(X, row, train), train);
    // Nearest first, as scikit-learn returns them (equal distances by index).
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      return heap_values[a] != heap_values[b] ? heap_values[a] < heap_values[b] : heap_indices[a] < heap_indices[b];
    });
    if (weights_ == NeighborWeights::kUniform) {
      for (int i = 0; i < k_; ++i) terms[i] = y_(heap_indices[order[i]]);
      out(row) = numerics::pairwise_sum(terms.data(), k_) / k_;
      continue;
    }
    // 1/d weights; when any neighbour coincides with the query, those get weight 1, others 0.
    bool exact_hit = false;
    for (int i = 0; i < k_; ++i) exact_hit |= heap_values[order[i]] == 0.0;
    for (int i = 0; i < k_; ++i) {
      const double d = distance_from_reduced(heap_values[order[i]]);
      weights[i] = exact_hit ? (d == 0.0 ? 1.0 : 0.0) : 1.0 / d;
      terms[i] = y_(heap_indices[order[i]]) * weights[i];
    }
    out(row) = numerics::pairwise_sum(terms.data(), k_) / numerics::pairwise_sum(weights.data(), k_);
  }
  return out;
}

}  // namespace oh::regress
