#include "regress/numerics/lapack_drivers.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "regress/regressor.h"

extern "C" {
// Reference LAPACK's Fortran entry points; gfortran appends the hidden lengths of CHARACTER
// arguments.
void dgelsd_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             double* s, const double* rcond, int* rank, double* work, const int* lwork, int* iwork, int* info);
void dposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
            int* info, std::size_t uplo_len);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             std::size_t jobz_len);
}

namespace oh::regress::numerics {
namespace {

int as_int(Eigen::Index v) {
  if (v > std::numeric_limits<int>::max()) throw MethodFailure("matrix too large for 32-bit LAPACK");
  return static_cast<int>(v);
}

}  // namespace

Eigen::VectorXd scipy_lstsq(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
  const int m = as_int(A.rows()), n = as_int(A.cols()), nrhs = 1;
  if (m == 0 || n == 0) return Eigen::VectorXd::Zero(n);  // scipy's zero-sized shortcut
  const int maxmn = std::max(m, n), minmn = std::max(1, std::min(m, n));
  const double cond = std::numeric_limits<double>::epsilon();
  int rank = 0, info = 0;
  // scipy's gelsd_lwork: the same call with LWORK = -1 returns the optimal WORK and IWORK sizes.
  double work_query = 0.0, dummy = 0.0;
  int iwork_query = 0, query = -1;
  dgelsd_(&m, &n, &nrhs, &dummy, &m, &dummy, &maxmn, &dummy, &cond, &rank, &work_query, &query, &iwork_query, &info);
  if (info != 0) throw MethodFailure("dgelsd workspace query failed: info " + std::to_string(info));
  const int lwork = static_cast<int>(work_query);
  std::vector<double> work(static_cast<std::size_t>(std::max(1, lwork)));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(1, iwork_query)));
  Eigen::MatrixXd a = A;  // f2py's Fortran-ordered copy
  Eigen::VectorXd x = Eigen::VectorXd::Zero(maxmn);
  x.head(m) = b;
  Eigen::VectorXd s(minmn);
  dgelsd_(&m, &n, &nrhs, a.data(), &m, x.data(), &maxmn, s.data(), &cond, &rank, work.data(), &lwork, iwork.data(),
          &info);
  if (info > 0) throw MethodFailure("SVD did not converge in Linear Least Squares");
  if (info < 0) throw MethodFailure("dgelsd: illegal argument " + std::to_string(-info));
  return x.head(n);
}

bool scipy_solve_positive(const Eigen::MatrixXd& S, const Eigen::VectorXd& b, Eigen::VectorXd* x) {
  const int n = as_int(S.rows()), nrhs = 1;
  const int ld = std::max(1, n);
  Eigen::MatrixXd a = S;
  *x = b;
  int info = 0;
  dposv_("U", &n, &nrhs, a.data(), &ld, x->data(), &ld, &info, 1);
  if (info < 0) throw MethodFailure("dposv: illegal argument " + std::to_string(-info));
  return info == 0;
}

ThinSvd gesdd(const Eigen::MatrixXd& A) {
  const int m = as_int(A.rows()), n = as_int(A.cols());
  const int k = std::min(m, n);
  const int lda = std::max(1, m), ldu = std::max(1, m), ldvt = std::max(1, k);
  ThinSvd result;
  result.s.resize(k);
  result.U.resize(m, k);
  result.Vt.resize(k, n);
  Eigen::MatrixXd a = A;
  std::vector<int> iwork(static_cast<std::size_t>(std::max(1, 8 * k)));
  double work_query = 0.0;
  int query = -1, info = 0;
  dgesdd_("S", &m, &n, a.data(), &lda, result.s.data(), result.U.data(), &ldu, result.Vt.data(), &ldvt, &work_query,
          &query, iwork.data(), &info, 1);
  if (info != 0) throw MethodFailure("dgesdd workspace query failed: info " + std::to_string(info));
  const int lwork = std::max(1, static_cast<int>(work_query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesdd_("S", &m, &n, a.data(), &lda, result.s.data(), result.U.data(), &ldu, result.Vt.data(), &ldvt, work.data(),
          &lwork, iwork.data(), &info, 1);
  if (info > 0) throw MethodFailure("SVD did not converge");
  if (info < 0) throw MethodFailure("dgesdd: illegal argument " + std::to_string(-info));
  return result;
}

}  // namespace oh::regress::numerics
