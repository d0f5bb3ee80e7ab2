#pragma once
// scikit-learn's Lasso: cyclic coordinate descent on (1/2n)‖y − Xw‖² + α‖w‖₁ over centred data,
// stopping on the duality gap (tol·‖y‖²) once the largest coordinate update is small.
#include "regress/linear/centring.h"

namespace oh::regress {

class Lasso final : public Regressor {
 public:
  explicit Lasso(double alpha = 1.0, int max_iter = 1000, double tol = 1e-4)
      : alpha_(alpha), max_iter_(max_iter), tol_(tol) {}
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override { return model_.predict(X); }
  /// Coordinate-descent epochs run by the last fit (scikit-learn's n_iter_).
  int iterations() const { return iterations_; }

 private:
  double alpha_;
  int max_iter_;
  double tol_;
  int iterations_ = 0;
  AffineModel model_;
};

}  // namespace oh::regress
