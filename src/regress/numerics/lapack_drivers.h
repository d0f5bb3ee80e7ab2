#pragma once
// The LAPACK drivers behind scipy.linalg and numpy.linalg, called with the arguments those
// wrappers pass (f2py signatures of scipy 1.10, umath_linalg of numpy 1.24): the same routine,
// job letters, leading dimensions, rcond and the workspace from the same size query. Linked
// against the LAPACK they use (liblapack.so.3), the results are bit-identical, noise included.
#include <Eigen/Core>

namespace oh::regress::numerics {

/// scipy.linalg.lstsq(A, b)[0] with its defaults: dgelsd, cond = machine epsilon.
/// Throws MethodFailure when the SVD does not converge (scipy raises LinAlgError).
Eigen::VectorXd scipy_lstsq(const Eigen::MatrixXd& A, const Eigen::VectorXd& b);

/// scipy.linalg.solve(S, b, assume_a='pos'): dposv on the upper triangle. Returns false where
/// scipy raises LinAlgError (S not positive definite).
bool scipy_solve_positive(const Eigen::MatrixXd& S, const Eigen::VectorXd& b, Eigen::VectorXd* x);

/// A thin SVD A = U diag(s) Vt from dgesdd with JOBZ='S' (k = min(m, n) singular values,
/// descending), as both scipy.linalg.svd(full_matrices=False) and np.linalg.svd compute it.
struct ThinSvd {
  Eigen::MatrixXd U;   // m × k
  Eigen::VectorXd s;   // k
  Eigen::MatrixXd Vt;  // k × n
};
/// Throws MethodFailure when dgesdd does not converge (both libraries raise LinAlgError).
ThinSvd gesdd(const Eigen::MatrixXd& A);

}  // namespace oh::regress::numerics
