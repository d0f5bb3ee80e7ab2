#pragma once
// scikit-learn's closed-form linear models on centred data (DESIGN §4.5).
#include "regress/linear/centring.h"
#include "regress/numerics/numpy_blas.h"

namespace oh::regress {

/// LinearRegression(): scipy's lstsq (dgelsd, cond = ε) on centred data with an intercept. On a
/// numerically rank-deficient design that keeps rounding-noise singular values, as scikit-learn does.
class LinearRegression final : public Regressor {
 public:
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override { return model_.predict(X); }

 private:
  AffineModel model_;
};

/// Ridge(alpha) with the 'cholesky' solver: primal (XᵀX + αI) or dual (XXᵀ + αI) when p > n.
class Ridge final : public Regressor {
 public:
  explicit Ridge(double alpha = 1.0) : alpha_(alpha) {}
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override { return model_.predict(X); }

 private:
  double alpha_;
  AffineModel model_;
};

/// Least squares with an intercept column through the hat matrix H = A (AᵀA)⁺ Aᵀ, evaluated as
/// numpy evaluates `At @ pinv(A.T @ A) @ A.T @ y` (pinv with rcond 1e-15), call for call.
class HatMatrixRegression final : public Regressor {
 public:
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  numerics::RowMatrix A_;         // [1, X_train]
  numerics::RowMatrix pinv_AtA_;  // (AᵀA)⁺
  Vector y_;
};

/// Full-batch gradient descent on ½·mean squared error with an intercept, from zero.
class GradientDescentRegression final : public Regressor {
 public:
  GradientDescentRegression(int steps, double learning_rate);
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  int steps_;
  double learning_rate_;
  Vector w_;
  double b_ = 0.0;
};

}  // namespace oh::regress
