#include "regress/preprocess/polynomial_features.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace oh::regress {

PolynomialFeatures::PolynomialFeatures(int degree, bool include_bias) : degree_(degree), include_bias_(include_bias) {
  if (degree < 0) throw std::invalid_argument("PolynomialFeatures: degree must be >= 0");
}

int64_t PolynomialFeatures::output_columns(int64_t n_features, int degree, bool include_bias) {
  // C(n + d, d) computed incrementally; exact in integers at every step.
  int64_t count = 1;
  for (int k = 1; k <= degree; ++k) count = count * (n_features + k) / k;
  return include_bias ? count : count - 1;
}

void PolynomialFeatures::fit(const Matrix& X) { n_features_ = X.cols(); }

Matrix PolynomialFeatures::transform(const Matrix& X) const {
  if (X.cols() != n_features_)
    throw std::invalid_argument("PolynomialFeatures: " + std::to_string(X.cols()) + " columns, fitted on " +
                                std::to_string(n_features_));
  const Eigen::Index n_features = X.cols();
  Matrix out(X.rows(), output_columns(n_features, degree_, include_bias_));
  Eigen::Index column = 0;
  if (include_bias_) out.col(column++).setOnes();
  if (degree_ == 0) return out;
  // block_start[f]: first column of the previous degree whose monomial uses only features >= f;
  // the last entry is one past that degree's block.
  std::vector<Eigen::Index> block_start(static_cast<size_t>(n_features) + 1);
  for (Eigen::Index f = 0; f < n_features; ++f) {
    block_start[f] = column;
    out.col(column++) = X.col(f);
  }
  block_start[n_features] = column;
  std::vector<Eigen::Index> next_start(block_start.size());
  for (int d = 2; d <= degree_; ++d) {
    const Eigen::Index end = block_start[n_features];
    for (Eigen::Index f = 0; f < n_features; ++f) {
      next_start[f] = column;
      for (Eigen::Index source = block_start[f]; source < end; ++source)
        out.col(column++) = out.col(source).cwiseProduct(X.col(f));
    }
    next_start[n_features] = column;
    block_start.swap(next_start);
  }
  return out;
}

}  // namespace oh::regress
