#include "regress/linear/bayesian_ridge.h"

#include <limits>

#include "regress/numerics/lapack_drivers.h"
#include "regress/numerics/numpy_blas.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

using numerics::ArrayView;
using numerics::view;

double sum(const Vector& v) { return numerics::pairwise_sum(v.data(), v.size()); }

double population_variance(const Vector& v) {
  const double m = numerics::mean(v);
  const Vector squares = (v.array() - m).square().matrix();
  return sum(squares) / static_cast<double>(v.size());
}

/// scikit-learn's _update_coef_ over scipy's SVD of the centred design X = U diag(s) Vh, with
/// numpy's evaluation order. np.linalg.multi_dot's chain order is right to left for both
/// branches: Vh.T @ (Vh/d @ Xᵀy) when n > p, Xᵀ @ (U/d @ (Uᵀ @ y)) when n ≤ p (k = min(n, p)
/// makes every other split at least as costly, and ties go to the first split).
class PosteriorMean {
 public:
  PosteriorMean(const numerics::RowMatrix& X, const Vector& y)
      : X_(X), y_(y), svd_(numerics::gesdd(X)), XT_y_(numerics::dot(view(X).t(), y)) {
    eigenvalues_ = svd_.s.array().square().matrix();
  }

  const Vector& eigenvalues() const { return eigenvalues_; }

  /// Sets coef to the posterior mean for (α, λ) and returns Σ(y − X coef)².
  double solve(double alpha, double lambda, Vector* coef) {
    const Vector shrunk = (eigenvalues_.array() + lambda / alpha).matrix();
    const Eigen::MatrixXd& U = svd_.U;    // Fortran-ordered, as scipy returns it
    const Eigen::MatrixXd& Vh = svd_.Vt;  // Fortran-ordered
    if (X_.rows() > X_.cols()) {
      scaled_ = Vh.array().colwise() / shrunk.array();  // Vh / d[:, None] keeps Vh's order
      *coef = numerics::dot(view(Vh).t(), numerics::dot(view(scaled_), XT_y_));
    } else {
      scaled_ = U.array().rowwise() / shrunk.transpose().array();  // U / d[None, :]
      const Vector projected = numerics::dot(view(U).t(), y_);
      *coef = numerics::dot(view(X_).t(), numerics::dot(view(scaled_), projected));
    }
    const Vector residual = y_ - numerics::dot(view(X_), *coef);
    return sum(residual.array().square().matrix());
  }

 private:
  const numerics::RowMatrix& X_;
  const Vector& y_;
  numerics::ThinSvd svd_;
  Vector XT_y_, eigenvalues_;
  Eigen::MatrixXd scaled_;
};

}  // namespace

void BayesianRidge::fit(const Matrix& X, const Vector& y) {
  check_training_data("bayesian_regression", X, y);
  const CentredData data = centre(X, y);
  const numerics::RowMatrix Xc = data.X;  // scikit-learn's C-ordered centred copy
  const double n = static_cast<double>(X.rows());
  PosteriorMean posterior(Xc, data.y);
  const Vector& eigenvalues = posterior.eigenvalues();

  double alpha = 1.0 / (population_variance(data.y) + std::numeric_limits<double>::epsilon());
  double lambda = 1.0;
  Vector coef, coef_old;
  int iteration = 0;
  for (; iteration < options_.n_iter; ++iteration) {
    const double rmse = posterior.solve(alpha, lambda, &coef);
    const Vector alpha_eigen = (alpha * eigenvalues.array()).matrix();
    const double gamma = sum((alpha_eigen.array() / (lambda + alpha_eigen.array())).matrix());
    lambda = (gamma + 2 * options_.lambda_1) / (sum(coef.array().square().matrix()) + 2 * options_.lambda_2);
    alpha = (n - gamma + 2 * options_.alpha_1) / (rmse + 2 * options_.alpha_2);
    if (iteration != 0 && sum((coef_old - coef).cwiseAbs()) < options_.tol) break;
    coef_old = coef;
  }
  iterations_ = iteration < options_.n_iter ? iteration + 1 : options_.n_iter;
  alpha_ = alpha;
  lambda_ = lambda;
  posterior.solve(alpha, lambda, &coef);
  model_.set_from_centred(data, std::move(coef));
}

}  // namespace oh::regress
