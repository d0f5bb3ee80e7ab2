#include "regress/linear/dense_solvers.h"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <limits>

namespace oh::regress::linalg {

void thin_svd(const Eigen::MatrixXd& A, Eigen::MatrixXd* U, Eigen::VectorXd* s, Eigen::MatrixXd* V) {
  // Two-sided Jacobi is slow on big matrices but accurate to high relative precision on the small
  // ones the zoo fits (≤ a few hundred columns).
  Eigen::JacobiSVD<Eigen::MatrixXd, Eigen::ColPivHouseholderQRPreconditioner> svd(
      A, Eigen::ComputeThinU | Eigen::ComputeThinV);
  *U = svd.matrixU();
  *s = svd.singularValues();
  *V = svd.matrixV();
}

Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
  Eigen::MatrixXd U, V;
  Eigen::VectorXd s;
  thin_svd(A, &U, &s, &V);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(A.cols());
  if (s.size() == 0) return x;
  const double cutoff = static_cast<double>(std::max(A.rows(), A.cols())) *
                        std::numeric_limits<double>::epsilon() * s(0);
  const Eigen::VectorXd projected = U.transpose() * b;
  for (Eigen::Index i = 0; i < s.size(); ++i)
    if (s(i) > cutoff) x += V.col(i) * (projected(i) / s(i));
  return x;
}

Eigen::MatrixXd pseudo_inverse(const Eigen::MatrixXd& A, double rcond) {
  Eigen::MatrixXd U, V;
  Eigen::VectorXd s;
  thin_svd(A, &U, &s, &V);
  Eigen::VectorXd inverse = Eigen::VectorXd::Zero(s.size());
  if (s.size() > 0) {
    const double cutoff = rcond * s(0);
    for (Eigen::Index i = 0; i < s.size(); ++i)
      if (s(i) > cutoff) inverse(i) = 1.0 / s(i);
  }
  return V * inverse.asDiagonal() * U.transpose();
}

bool solve_positive_definite(const Eigen::MatrixXd& S, const Eigen::VectorXd& b, Eigen::VectorXd* x) {
  Eigen::LLT<Eigen::MatrixXd> llt(S);
  if (llt.info() != Eigen::Success) return false;
  *x = llt.solve(b);
  return true;
}

void symmetric_eigen(const Eigen::MatrixXd& S, Eigen::VectorXd* values, Eigen::MatrixXd* vectors) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(S);
  *values = solver.eigenvalues();
  *vectors = solver.eigenvectors();
}

}  // namespace oh::regress::linalg
