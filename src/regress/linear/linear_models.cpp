#include "regress/linear/linear_models.h"

#include <stdexcept>
#include <string>

#include "regress/numerics/lapack_drivers.h"
#include "regress/numerics/numpy_blas.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

using numerics::matmul;
using numerics::RowMatrix;
using numerics::view;

RowMatrix with_intercept_column(const Matrix& X) {
  RowMatrix A(X.rows(), X.cols() + 1);
  A.col(0).setOnes();
  A.rightCols(X.cols()) = X;
  return A;
}

/// np.linalg.pinv(A, rcond): dgesdd, singular values ≤ rcond·max(s) dropped, then
/// matmul(vt.T, s⁻¹[:, None] * u.T) with numpy's layouts (u and vt C-ordered, the scaled u.T
/// Fortran-ordered, as numpy's ufunc allocates it to follow u.T).
RowMatrix numpy_pinv(const RowMatrix& A, double rcond) {
  const numerics::ThinSvd svd = numerics::gesdd(A);
  const RowMatrix vt = svd.Vt;
  const double cutoff = rcond * (svd.s.size() > 0 ? svd.s.maxCoeff() : 0.0);
  Matrix scaled_ut(svd.U.cols(), svd.U.rows());
  for (Eigen::Index i = 0; i < svd.s.size(); ++i) {
    const double inverse = svd.s(i) > cutoff ? 1.0 / svd.s(i) : 0.0;
    scaled_ut.row(i) = inverse * svd.U.col(i).transpose();
  }
  return matmul(view(vt).t(), view(scaled_ut));
}

}  // namespace

void LinearRegression::fit(const Matrix& X, const Vector& y) {
  check_training_data("linear_regression", X, y);
  const CentredData data = centre(X, y);
  model_.set_from_centred(data, numerics::scipy_lstsq(data.X, data.y));
}

void Ridge::fit(const Matrix& X, const Vector& y) {
  check_training_data("ridge", X, y);
  const CentredData data = centre(X, y);
  const RowMatrix Xc = data.X;  // scikit-learn's C-ordered centred copy
  Vector coef;
  if (Xc.cols() > Xc.rows()) {
    // _solve_cholesky_kernel: (XXᵀ + αI) c = y, coef = Xᵀc.
    RowMatrix K = matmul(view(Xc), view(Xc).t());
    K.diagonal().array() += alpha_;
    Vector dual;
    if (!numerics::scipy_solve_positive(K, data.y, &dual)) throw MethodFailure("ridge: kernel matrix not positive definite");
    coef = matmul(view(Xc).t(), dual);
  } else {
    // _solve_cholesky: (XᵀX + αI) coef = Xᵀy.
    RowMatrix A = matmul(view(Xc).t(), view(Xc));
    A.diagonal().array() += alpha_;
    if (!numerics::scipy_solve_positive(A, matmul(view(Xc).t(), data.y), &coef))
      throw MethodFailure("ridge: normal matrix not positive definite");
  }
  model_.set_from_centred(data, std::move(coef));
}

void HatMatrixRegression::fit(const Matrix& X, const Vector& y) {
  check_training_data("hat_matrix", X, y);
  A_ = with_intercept_column(X);
  pinv_AtA_ = numpy_pinv(matmul(view(A_).t(), view(A_)), 1e-15);
  y_ = y;
}

Vector HatMatrixRegression::predict(const Matrix& X) const {
  if (X.cols() + 1 != A_.cols())
    throw std::invalid_argument("hat_matrix: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(A_.cols() - 1));
  // Left to right, as Python evaluates At @ pinv(A.T @ A) @ A.T @ y.
  const RowMatrix At = with_intercept_column(X);
  const RowMatrix rows_times_pinv = matmul(view(At), view(pinv_AtA_));
  return matmul(view(matmul(view(rows_times_pinv), view(A_).t())), y_);
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
