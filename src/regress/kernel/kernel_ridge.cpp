#include "regress/kernel/kernel_ridge.h"

#include <stdexcept>
#include <string>

#include "regress/numerics/lapack_drivers.h"

namespace oh::regress {

using numerics::matmul;
using numerics::view;

void KernelRidge::fit(const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size()) throw MethodFailure("kernel_ridge: needs matching, non-empty X and y");
  X_ = X;
  // linear_kernel(X, X) is X @ X.T over one array, which numpy computes with dsyrk.
  numerics::RowMatrix K = matmul(view(X_), view(X_).t());
  K.diagonal().array() += alpha_;
  // _solve_cholesky_kernel: scipy's solve(assume_a='pos'), and lstsq where Cholesky fails.
  if (!numerics::scipy_solve_positive(K, y, &dual_coef_)) dual_coef_ = numerics::scipy_lstsq(K, y);
}

Vector KernelRidge::predict(const Matrix& X) const {
  if (X.cols() != X_.cols())
    throw std::invalid_argument("kernel_ridge: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(X_.cols()));
  const numerics::RowMatrix rows = X;
  return numerics::dot(view(matmul(view(rows), view(X_).t())), dual_coef_);
}

}  // namespace oh::regress
