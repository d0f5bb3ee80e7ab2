#include "regress/linear/lasso.h"

#include <cmath>

namespace oh::regress {
namespace {

double sign(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); }

}  // namespace

void Lasso::fit(const Matrix& X, const Vector& y) {
  check_training_data("lasso", X, y);
  const CentredData data = centre(X, y);
  const Matrix& A = data.X;
  const Vector& target = data.y;
  const Eigen::Index n_features = A.cols();
  // scikit-learn scales the penalty by the sample count (l1_reg = α·n, l2_reg = 0).
  const double l1 = alpha_ * static_cast<double>(A.rows());
  const Vector column_norms = A.colwise().squaredNorm().transpose();
  Vector w = Vector::Zero(n_features);
  Vector residual = target;
  const double gap_tol = tol_ * target.squaredNorm();
  iterations_ = 0;
  for (int epoch = 0; epoch < max_iter_; ++epoch) {
    iterations_ = epoch + 1;
    double w_max = 0.0, dw_max = 0.0;
    for (Eigen::Index j = 0; j < n_features; ++j) {
      if (column_norms(j) == 0.0) continue;
      const double w_old = w(j);
      if (w_old != 0.0) residual += w_old * A.col(j);
      const double rho = A.col(j).dot(residual);
      w(j) = sign(rho) * std::fmax(std::fabs(rho) - l1, 0.0) / column_norms(j);
      if (w(j) != 0.0) residual -= w(j) * A.col(j);
      dw_max = std::fmax(dw_max, std::fabs(w(j) - w_old));
      w_max = std::fmax(w_max, std::fabs(w(j)));
    }
    if (w_max == 0.0 || dw_max / w_max < tol_ || epoch == max_iter_ - 1) {
      const double dual_norm = (A.transpose() * residual).cwiseAbs().maxCoeff();
      const double r_norm2 = residual.squaredNorm();
      double scale = 1.0, gap = r_norm2;
      if (dual_norm > l1) {
        scale = l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * (scale * scale));
      }
      gap += l1 * w.lpNorm<1>() - scale * residual.dot(target);
      if (gap < gap_tol) break;
    }
  }
  model_.set_from_centred(data, std::move(w));
}

}  // namespace oh::regress
