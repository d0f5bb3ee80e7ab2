#pragma once
// scikit-learn's KernelRidge(): linear kernel, α = 1, no intercept: (XXᵀ + αI) c = y,
// ŷ = X_test Xᵀ c.
#include "regress/regressor.h"

namespace oh::regress {

class KernelRidge final : public Regressor {
 public:
  explicit KernelRidge(double alpha = 1.0) : alpha_(alpha) {}
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  double alpha_;
  Matrix X_;
  Vector dual_coef_;
};

}  // namespace oh::regress
