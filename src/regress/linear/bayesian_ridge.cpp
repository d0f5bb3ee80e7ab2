#include "regress/linear/bayesian_ridge.h"

#include <cmath>
#include <limits>

#include "regress/linear/dense_solvers.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

/// Ridge solutions for one λ/α along the spectrum of the centred design, primal or dual.
class SpectralRidge {
 public:
  SpectralRidge(const Matrix& X, const Vector& y) : X_(X), y_(y), dual_(X.rows() <= X.cols()) {
    Vector values;
    if (dual_) {
      // Half the flops of X·Xᵀ: only the lower triangle is accumulated, then mirrored.
      gram_ = Matrix::Zero(X.rows(), X.rows());
      gram_.selfadjointView<Eigen::Lower>().rankUpdate(X);
      gram_.triangularView<Eigen::StrictlyUpper>() = gram_.transpose();
      linalg::symmetric_eigen(gram_, &values, &vectors_);
      projected_ = vectors_.transpose() * y;
    } else {
      linalg::symmetric_eigen(X.transpose() * X, &values, &vectors_);
      projected_ = vectors_.transpose() * (X.transpose() * y);
    }
    // Squared singular values; rounding can leave a null direction slightly negative.
    eigenvalues_ = values.cwiseMax(0.0);
  }

  const Vector& eigenvalues() const { return eigenvalues_; }

  /// Sets coef = argmin ‖y − Xw‖² + ratio‖w‖² and returns Σ(y − X coef)².
  double solve(double ratio, Vector* coef) {
    const Vector scaled = projected_.cwiseQuotient((eigenvalues_.array() + ratio).matrix());
    if (dual_) {
      const Vector dual = vectors_ * scaled;
      *coef = X_.transpose() * dual;
      return (y_ - gram_ * dual).squaredNorm();
    }
    *coef = vectors_ * scaled;
    return (y_ - X_ * *coef).squaredNorm();
  }

 private:
  const Matrix& X_;
  const Vector& y_;
  bool dual_;
  Matrix gram_, vectors_;
  Vector eigenvalues_, projected_;
};

double population_variance(const Vector& v) {
  const double m = numerics::mean(v);
  const Vector squares = (v.array() - m).square().matrix();
  return numerics::pairwise_sum(squares.data(), squares.size()) / static_cast<double>(v.size());
}

}  // namespace

void BayesianRidge::fit(const Matrix& X, const Vector& y) {
  check_training_data("bayesian_regression", X, y);
  const CentredData data = centre(X, y);
  const double n = static_cast<double>(X.rows());
  SpectralRidge ridge(data.X, data.y);
  const Vector& eigenvalues = ridge.eigenvalues();

  double alpha = 1.0 / (population_variance(data.y) + std::numeric_limits<double>::epsilon());
  double lambda = 1.0;
  Vector coef, coef_old;
  int iteration = 0;
  for (; iteration < options_.n_iter; ++iteration) {
    const double rmse = ridge.solve(lambda / alpha, &coef);
    const double gamma = ((alpha * eigenvalues.array()) / (lambda + alpha * eigenvalues.array())).sum();
    lambda = (gamma + 2 * options_.lambda_1) / (coef.squaredNorm() + 2 * options_.lambda_2);
    alpha = (n - gamma + 2 * options_.alpha_1) / (rmse + 2 * options_.alpha_2);
    if (iteration != 0 && (coef_old - coef).lpNorm<1>() < options_.tol) break;
    coef_old = coef;
  }
  iterations_ = iteration < options_.n_iter ? iteration + 1 : options_.n_iter;
  alpha_ = alpha;
  lambda_ = lambda;
  ridge.solve(lambda / alpha, &coef);
  model_.set_from_centred(data, std::move(coef));
}

}  // namespace oh::regress
