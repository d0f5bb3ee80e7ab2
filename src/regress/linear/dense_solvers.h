#pragma once
// The dense decompositions the exact set needs, kept in one translation unit because Eigen's
// SVD and eigensolvers are slow to compile (DESIGN §2). Headers stay on Eigen/Core.
#include <Eigen/Core>

namespace oh::regress::linalg {

/// Minimum-norm least-squares solution of A x ≈ b (A is n × p, any shape or rank) through the
/// SVD, treating singular values ≤ max(n, p)·ε·σ_max as zero (the numerical rank).
Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b);

/// numpy.linalg.pinv(A, rcond): singular values ≤ rcond·σ_max are dropped.
Eigen::MatrixXd pseudo_inverse(const Eigen::MatrixXd& A, double rcond);

/// Solves S x = b for a symmetric positive definite S by Cholesky; returns false when S is not
/// numerically positive definite.
bool solve_positive_definite(const Eigen::MatrixXd& S, const Eigen::VectorXd& b, Eigen::VectorXd* x);

/// Eigen-decomposition of a symmetric matrix: S = V diag(values) Vᵀ (values ascending).
void symmetric_eigen(const Eigen::MatrixXd& S, Eigen::VectorXd* values, Eigen::MatrixXd* vectors);

/// Thin SVD A = U diag(s) Vᵀ, k = min(n, p) singular values, descending.
void thin_svd(const Eigen::MatrixXd& A, Eigen::MatrixXd* U, Eigen::VectorXd* s, Eigen::MatrixXd* V);

}  // namespace oh::regress::linalg
