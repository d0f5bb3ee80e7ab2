#pragma once
// scikit-learn's KernelRidge(): linear kernel, α = 1, no intercept: (XXᵀ + αI) c = y,
// ŷ = X_test Xᵀ c, with numpy's BLAS calls and scipy's Cholesky (bit-identical to scikit-learn).
#include "regress/numerics/numpy_blas.h"
#include "regress/regressor.h"

namespace oh::regress {

class KernelRidge final : public Regressor {
 public:
  explicit KernelRidge(double alpha = 1.0) : alpha_(alpha) {}
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  double alpha_;
  numerics::RowMatrix X_;  // the C-ordered training rows scikit-learn keeps as X_fit_
  Vector dual_coef_;
};

}  // namespace oh::regress
