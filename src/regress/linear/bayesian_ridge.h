#pragma once
// scikit-learn's BayesianRidge (n_iter 300, tol 1e-3, Gamma priors 1e-6): evidence maximisation
// over α (noise precision) and λ (weight precision) on centred data. The spectrum comes from the
// smaller Gram matrix (XᵀX when n > p, XXᵀ otherwise), so 184 755 polynomial columns cost
// O(n²p) rather than an SVD of the wide matrix; the coefficient vector is still formed each
// iteration because scikit-learn's stopping rule is Σ|Δcoef| < tol over all p coefficients.
#include "regress/linear/centring.h"

namespace oh::regress {

class BayesianRidge final : public Regressor {
 public:
  struct Options {
    int n_iter = 300;
    double tol = 1e-3;
    double alpha_1 = 1e-6, alpha_2 = 1e-6, lambda_1 = 1e-6, lambda_2 = 1e-6;
  };
  BayesianRidge() = default;
  explicit BayesianRidge(Options options) : options_(options) {}
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override { return model_.predict(X); }
  int iterations() const { return iterations_; }
  double alpha() const { return alpha_; }
  double lambda() const { return lambda_; }

 private:
  Options options_;
  AffineModel model_;
  int iterations_ = 0;
  double alpha_ = 0.0, lambda_ = 0.0;
};

}  // namespace oh::regress
