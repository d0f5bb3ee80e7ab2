#include "regress/preprocess/standard_scaler.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace oh::regress {

void StandardScaler::fit(const Matrix& X) {
  if (X.rows() == 0) throw MethodFailure("StandardScaler needs at least one row");
  const double n = static_cast<double>(X.rows());
  // Rows are summed in order, as numpy reduces axis 0 of a C-ordered array.
  Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) sum += X.row(i);
  mean_ = sum / n;
  Eigen::RowVectorXd correction = Eigen::RowVectorXd::Zero(X.cols());
  Eigen::RowVectorXd squares = Eigen::RowVectorXd::Zero(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      const double centred = X(i, j) - mean_(j);
      correction(j) += centred;
      squares(j) += centred * centred;
    }
  }
  constexpr double eps = std::numeric_limits<double>::epsilon();
  scale_.resize(X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const double variance = (squares(j) - correction(j) * correction(j) / n) / n;
    // scikit-learn's _is_constant_feature: the variance is within the two-pass error bound.
    const double bound = n * eps * variance + (n * mean_(j) * eps) * (n * mean_(j) * eps);
    scale_(j) = variance <= bound ? 1.0 : std::sqrt(variance);
  }
}

Matrix StandardScaler::transform(const Matrix& X) const {
  if (X.cols() != mean_.size())
    throw std::invalid_argument("StandardScaler: " + std::to_string(X.cols()) + " columns, fitted on " +
                                std::to_string(mean_.size()));
  Matrix out(X.rows(), X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i) out(i, j) = (X(i, j) - mean_(j)) / scale_(j);
  return out;
}

}  // namespace oh::regress
