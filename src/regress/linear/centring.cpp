#include "regress/linear/centring.h"

#include <stdexcept>
#include <string>

#include "regress/numerics/numpy_blas.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {

CentredData centre(const Matrix& X, const Vector& y) {
  CentredData data;
  data.x_mean = numerics::column_means(X);
  data.y_mean = numerics::mean(y);
  data.X = X.rowwise() - data.x_mean;
  data.y = y.array() - data.y_mean;
  return data;
}

void AffineModel::set_from_centred(const CentredData& data, Vector coefficients) {
  coef = std::move(coefficients);
  // scikit-learn's _set_intercept: y_offset - np.dot(X_offset, coef).
  intercept = data.y_mean - numerics::dot(Eigen::VectorXd(data.x_mean.transpose()), coef);
}

Vector AffineModel::predict(const Matrix& X) const {
  if (X.cols() != coef.size())
    throw std::invalid_argument("predict: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(coef.size()));
  // safe_sparse_dot(X, coef) on scikit-learn's C-ordered X, then + intercept.
  const numerics::RowMatrix rows = X;
  return numerics::matmul(numerics::view(rows), coef).array() + intercept;
}

void check_training_data(const char* method, const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size())
    throw MethodFailure(std::string(method) + ": needs matching, non-empty X and y (got " +
                        std::to_string(X.rows()) + " rows and " + std::to_string(y.size()) + " targets)");
}

}  // namespace oh::regress
