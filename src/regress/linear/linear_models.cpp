#include "regress/linear/linear_models.h"

#include <stdexcept>
#include <string>

#include "regress/linear/dense_solvers.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

Matrix with_intercept_column(const Matrix& X) {
  Matrix A(X.rows(), X.cols() + 1);
  A.col(0).setOnes();
  A.rightCols(X.cols()) = X;
  return A;
}

}  // namespace

void LinearRegression::fit(const Matrix& X, const Vector& y) {
  check_training_data("linear_regression", X, y);
  const CentredData data = centre(X, y);
  model_.set_from_centred(data, linalg::min_norm_least_squares(data.X, data.y));
}

void Ridge::fit(const Matrix& X, const Vector& y) {
  check_training_data("ridge", X, y);
  const CentredData data = centre(X, y);
  Vector coef;
  if (data.X.cols() > data.X.rows()) {
    Matrix K = data.X * data.X.transpose();
    K.diagonal().array() += alpha_;
    Vector dual;
    if (!linalg::solve_positive_definite(K, data.y, &dual)) throw MethodFailure("ridge: kernel matrix not positive definite");
    coef = data.X.transpose() * dual;
  } else {
    Matrix A = data.X.transpose() * data.X;
    A.diagonal().array() += alpha_;
    if (!linalg::solve_positive_definite(A, data.X.transpose() * data.y, &coef))
      throw MethodFailure("ridge: normal matrix not positive definite");
  }
  model_.set_from_centred(data, std::move(coef));
}

void HatMatrixRegression::fit(const Matrix& X, const Vector& y) {
  check_training_data("hat_matrix", X, y);
  A_ = with_intercept_column(X);
  pinv_AtA_ = linalg::pseudo_inverse(A_.transpose() * A_, 1e-15);
  y_ = y;
}

Vector HatMatrixRegression::predict(const Matrix& X) const {
  if (X.cols() + 1 != A_.cols())
    throw std::invalid_argument("hat_matrix: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(A_.cols() - 1));
  const Matrix rows_times_pinv = with_intercept_column(X) * pinv_AtA_;
  return (rows_times_pinv * A_.transpose()) * y_;
}

GradientDescentRegression::GradientDescentRegression(int steps, double learning_rate)
    : steps_(steps), learning_rate_(learning_rate) {
  if (steps < 0) throw std::invalid_argument("gd_regression: steps must be >= 0");
}

void GradientDescentRegression::fit(const Matrix& X, const Vector& y) {
  check_training_data("gd_regression", X, y);
  const double n = static_cast<double>(X.rows());
  w_ = Vector::Zero(X.cols());
  b_ = 0.0;
  for (int step = 0; step < steps_; ++step) {
    const Vector residual = ((X * w_).array() + b_).matrix() - y;
    w_ = w_ - (learning_rate_ * (X.transpose() * residual)) / n;
    b_ = b_ - learning_rate_ * numerics::pairwise_sum(residual.data(), residual.size()) / n;
  }
}

Vector GradientDescentRegression::predict(const Matrix& X) const {
  if (X.cols() != w_.size())
    throw std::invalid_argument("gd_regression: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(w_.size()));
  return (X * w_).array() + b_;
}

}  // namespace oh::regress
