#include "regress/kernel/kernel_ridge.h"

#include <stdexcept>
#include <string>

#include "regress/linear/dense_solvers.h"

namespace oh::regress {

void KernelRidge::fit(const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size()) throw MethodFailure("kernel_ridge: needs matching, non-empty X and y");
  Matrix K = X * X.transpose();
  K.diagonal().array() += alpha_;
  // With α > 0 the kernel matrix is positive definite, so Cholesky (scikit-learn's path) applies.
  if (!linalg::solve_positive_definite(K, y, &dual_coef_))
    throw MethodFailure("kernel_ridge: kernel matrix is not positive definite");
  X_ = X;
}

Vector KernelRidge::predict(const Matrix& X) const {
  if (X.cols() != X_.cols())
    throw std::invalid_argument("kernel_ridge: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(X_.cols()));
  return (X * X_.transpose()) * dual_coef_;
}

}  // namespace oh::regress
