#include "regress/linear/centring.h"

#include <stdexcept>
#include <string>

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
  intercept = data.y_mean - data.x_mean.dot(coef);
}

Vector AffineModel::predict(const Matrix& X) const {
  if (X.cols() != coef.size())
    throw std::invalid_argument("predict: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(coef.size()));
  return (X * coef).array() + intercept;
}

void check_training_data(const char* method, const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size())
    throw MethodFailure(std::string(method) + ": needs matching, non-empty X and y (got " +
                        std::to_string(X.rows()) + " rows and " + std::to_string(y.size()) + " targets)");
}

}  // namespace oh::regress
