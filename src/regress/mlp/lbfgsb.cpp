#include "regress/mlp/lbfgsb.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <stdexcept>

#include "regress/mlp/lbfgsb_kernels.h"
#include "regress/mlp/lbfgsb_line_search.h"

// LAPACK as the patched lbfgsb.f calls it (reference LAPACK: the same routines, arguments and
// hence rounding). Hidden CHARACTER lengths are size_t since gfortran 8.
extern "C" void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t);
extern "C" void dtrtrs_(const char* uplo, const char* trans, const char* diag, const int* n, const int* nrhs,
                        const double* a, const int* lda, double* b, const int* ldb, int* info, std::size_t,
                        std::size_t, std::size_t);

namespace oh::regress::mlp {
namespace {

// A column-major matrix addressed with Fortran's 1-based (row, column), so that the small dense
// steps read line by line against lbfgsb.f.
struct FortranMatrix {
  double* data;
  int ld;
  double& operator()(int i, int j) const { return data[(i - 1) + static_cast<std::size_t>(j - 1) * ld]; }
};

int cholesky_upper(int n, double* a, int lda) {
  int info = 0;
  dpotrf_("U", &n, a, &lda, &info, 1);
  return info;
}

// Solves U x = b (transposed: Uᵀ x = b) in place, one right-hand side with leading dimension n.
int triangular_solve(bool transposed, int n, const double* u, int ldu, double* b) {
  const int nrhs = 1;
  int info = 0;
  dtrtrs_("U", transposed ? "T" : "N", "N", &n, &nrhs, u, &ldu, b, &n, &info, 1, 1, 1);
  return info;
}

inline double fortran_max(double a, double b) { return a > b ? a : b; }
inline double fortran_min(double a, double b) { return a < b ? a : b; }

// The task strings scipy reports.
constexpr const char* kConvergedGradient = "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL";
constexpr const char* kConvergedReduction = "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH";
constexpr const char* kAbnormal = "ABNORMAL_TERMINATION_IN_LNSRCH";
constexpr const char* kIterationLimit = "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT";
constexpr const char* kEvaluationLimit = "STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT";

// mainlb for nbd = 0 everywhere: no Cauchy breakpoints, every variable free, no projection.
// Names follow lbfgsb.f where a reader will want to compare.
class UnboundedLbfgsb {
 public:
  UnboundedLbfgsb(const Objective& objective, std::vector<double> x0, const LbfgsbOptions& options)
      : objective_(objective),
        options_(options),
        n_(x0.size()),
        m_(options.memory),
        pairs_(x0.size(), options.memory),
        x_(std::move(x0)),
        g_(n_),
        t_(n_),
        r_(n_),
        z_(n_),
        d_(n_),
        evaluated_g_(n_),
        sy_(static_cast<std::size_t>(m_) * m_),
        ss_(static_cast<std::size_t>(m_) * m_),
        wt_(static_cast<std::size_t>(m_) * m_),
        wn_(4 * static_cast<std::size_t>(m_) * m_),
        wn1_(4 * static_cast<std::size_t>(m_) * m_),
        wv_(2 * static_cast<std::size_t>(m_)),
        order_(m_) {}

  LbfgsbResult run();

 private:
  int next_slot(int pointer) const { return pointer % m_ + 1; }  // Fortran's mod(pointr, m) + 1
  void refresh_memory();
  void evaluate_at_x();
  bool line_search();
  void update_memory();
  void form_t();
  int form_k();
  int subspace_minimisation();
  void finish(const char* message, bool converged);

  const Objective& objective_;
  const LbfgsbOptions& options_;
  const std::size_t n_;
  const int m_;
  CorrectionPairs pairs_;
  PairProducts products_;  // sums of the last accepted step against the stored pairs
  MoreThuenteSearch search_;

  std::vector<double> x_, g_, t_, r_, z_, d_;
  std::vector<double> evaluated_x_, evaluated_g_;  // scipy re-evaluates only when x changes
  double evaluated_f_ = 0.0;
  std::vector<double> sy_, ss_, wt_, wn_, wn1_, wv_;
  std::vector<int> order_;  // physical slot of the k-th stored pair, oldest first

  const double epsmch_ = DBL_EPSILON;  // epsilon(1d0)
  double tol_ = 0.0;
  double f_ = 0.0, fold_ = 0.0, theta_ = 1.0, sbgnrm_ = 0.0;
  double gd_ = 0.0, gdold_ = 0.0, stp_ = 0.0, stpmx_ = 0.0, dtd_ = 0.0;
  int col_ = 0, head_ = 1, itail_ = 0, iupdat_ = 0, iter_ = 0;
  bool updatd_ = false;
  LbfgsbResult result_;
};

void UnboundedLbfgsb::refresh_memory() {
  col_ = 0;
  head_ = 1;
  theta_ = 1.0;
  iupdat_ = 0;
  updatd_ = false;
}

// scipy's ScalarFunction: evaluates only at a point different from the last one evaluated.
void UnboundedLbfgsb::evaluate_at_x() {
  if (evaluated_x_ != x_) {
    evaluated_f_ = objective_(x_.data(), evaluated_g_.data());
    evaluated_x_ = x_;
    ++result_.evaluations;
  }
  f_ = evaluated_f_;
  g_ = evaluated_g_;
}

void UnboundedLbfgsb::finish(const char* message, bool converged) {
  result_.message = message;
  result_.converged = converged;
}

// lnsrlb + dcsrch from the direction d (with dᵀd and gᵀd already formed) until a step is
// accepted (returns true: NEW_X) or the search fails (x, g, f restored; returns false after
// either refreshing the memory or finishing with ABNORMAL_TERMINATION_IN_LNSRCH).
bool UnboundedLbfgsb::line_search() {
  constexpr double kBig = 1.0e10;
  stpmx_ = kBig;
  stp_ = iter_ == 0 ? fortran_min(1.0 / std::sqrt(dtd_), stpmx_) : 1.0;
  // t := x and r := g; x and g are overwritten before they are read again.
  std::swap(t_, x_);
  std::swap(r_, g_);
  fold_ = f_;
  int ifun = 0, iback = 0;
  search_.restart();
  double max_abs_g = 0.0;
  while (true) {
    int info = 0;
    MoreThuenteSearch::Task task = MoreThuenteSearch::Task::kEvaluate;
    if (ifun == 0) {
      gdold_ = gd_;
      if (gd_ >= 0.0) info = -4;  // not a descent direction
    }
    if (info == 0) {
      task = search_.advance(f_, gd_, stp_, stpmx_);
      if (task != MoreThuenteSearch::Task::kConverged && task != MoreThuenteSearch::Task::kWarning) {
        ++ifun;
        iback = ifun - 1;
        if (iback < 20) {  // the 21st trial point is never evaluated
          const bool moved = stp_ == 1.0 ? copy_point(z_.data(), n_, x_.data(), evaluated_x_.data())
                                         : trial_point(t_.data(), d_.data(), stp_, n_, x_.data(), evaluated_x_.data());
          if (moved) {
            evaluated_f_ = objective_(x_.data(), evaluated_g_.data());
            ++result_.evaluations;
          }
          f_ = evaluated_f_;
          slope_and_gradient_norm(evaluated_g_.data(), g_.data(), d_.data(), n_, gd_, max_abs_g);  // g := evaluated g
          continue;
        }
      }
    }
    if (info != 0 || iback >= 20) {
      x_ = t_;
      g_ = r_;
      f_ = fold_;
      if (col_ == 0) {
        ++iter_;
        finish(kAbnormal, false);
      } else {
        refresh_memory();
      }
      return false;
    }
    ++iter_;
    sbgnrm_ = max_abs_g;  // projgr at the accepted point
    return true;
  }
}

// The end of an iteration after NEW_X passed the stopping tests: s = stp·d, y = g − g_old, the
// skip test, matupd and formt; the sums the next iteration needs come from one pass.
void UnboundedLbfgsb::update_memory() {
  double dr, ddum;
  if (stp_ == 1.0) {
    dr = gd_ - gdold_;
    ddum = -gdold_;
  } else {
    dr = (gd_ - gdold_) * stp_;
    ddum = -gdold_ * stp_;
  }
  if (dr <= epsmch_ * ddum) {
    updatd_ = false;  // the update is skipped
    if (col_ > 0) accumulate_pair_products(pairs_, g_.data(), r_.data(), d_.data(), stp_, -1, true, products_);
    return;
  }
  updatd_ = true;
  ++iupdat_;
  if (iupdat_ <= m_) {
    col_ = iupdat_;
    itail_ = (head_ + iupdat_ - 2) % m_ + 1;
  } else {
    itail_ = next_slot(itail_);
    head_ = next_slot(head_);
  }
  accumulate_pair_products(pairs_, g_.data(), r_.data(), d_.data(), stp_, itail_ - 1, true, products_);
  const double rr = products_.with_y[itail_ - 1];
  theta_ = rr / dr;

  const FortranMatrix sy{sy_.data(), m_}, ss{ss_.data(), m_};
  if (iupdat_ > m_) {
    // Move old information (dcopy of columns within SS's upper and SY's lower triangle).
    for (int j = 1; j <= col_ - 1; ++j) {
      for (int k = 0; k < j; ++k) ss(1 + k, j) = ss(2 + k, j + 1);
      for (int k = 0; k < col_ - j; ++k) sy(j + k, j) = sy(j + 1 + k, j + 1);
    }
  }
  int pointr = head_;
  for (int j = 1; j <= col_ - 1; ++j) {
    sy(col_, j) = products_.with_s[pointr - 1];       // sᵀ y_j
    ss(j, col_) = products_.with_s[m_ + pointr - 1];  // s_jᵀ s
    pointr = next_slot(pointr);
  }
  ss(col_, col_) = stp_ == 1.0 ? dtd_ : stp_ * stp_ * dtd_;
  sy(col_, col_) = dr;
  form_t();
}

// formt: T = θ·SᵀS + L·D⁻¹·Lᵀ (upper half) and its Cholesky factor J' in wt.
void UnboundedLbfgsb::form_t() {
  const FortranMatrix wt{wt_.data(), m_}, sy{sy_.data(), m_}, ss{ss_.data(), m_};
  for (int j = 1; j <= col_; ++j) wt(1, j) = theta_ * ss(1, j);
  for (int i = 2; i <= col_; ++i) {
    for (int j = i; j <= col_; ++j) {
      const int k1 = std::min(i, j) - 1;
      double ddum = 0.0;
      for (int k = 1; k <= k1; ++k) ddum = ddum + sy(i, k) * sy(j, k) / sy(k, k);
      wt(i, j) = ddum + theta_ * ss(i, j);
    }
  }
  if (cholesky_upper(col_, wt_.data(), m_) != 0) refresh_memory();  // info = -3 in mainlb
}

// formk with every variable free and none entering or leaving: the new row of
// WN1 = [YᵀY, ·; R_z, 0] from this step's sums, then the LELᵀ factorisation in WN.
int UnboundedLbfgsb::form_k() {
  const int m2 = 2 * m_;
  const FortranMatrix wn1{wn1_.data(), m2}, wn{wn_.data(), m2}, sy{sy_.data(), m_};
  int upcl = col_;
  if (updatd_) {
    if (iupdat_ > m_) {
      for (int jy = 1; jy <= m_ - 1; ++jy) {
        const int js = m_ + jy;
        for (int k = 0; k < m_ - jy; ++k) wn1(jy + k, jy) = wn1(jy + 1 + k, jy + 1);
        for (int k = 0; k < m_ - jy; ++k) wn1(js + k, js) = wn1(js + 1 + k, js + 1);
        for (int k = 0; k < m_ - 1; ++k) wn1(m_ + 1 + k, jy) = wn1(m_ + 2 + k, jy + 1);
      }
    }
    const int iy = col_, is = m_ + col_;
    int jpntr = head_;
    for (int jy = 1; jy <= col_; ++jy) {
      wn1(iy, jy) = products_.with_y[jpntr - 1];  // y_newᵀ y_j
      wn1(is, m_ + jy) = 0.0;                     // S'AA'S: no active variables
      wn1(is, jy) = 0.0;                          // L_a: no active variables
      jpntr = next_slot(jpntr);
    }
    int ipntr = head_;
    for (int i = 1; i <= col_; ++i) {
      wn1(m_ + i, col_) = products_.with_y[m_ + ipntr - 1];  // s_iᵀ y_new (R_z)
      ipntr = next_slot(ipntr);
    }
    upcl = col_ - 1;
  }
  // No variable enters or leaves the free set: the corrections are sums over empty sets, but
  // the Fortran still adds and subtracts them (which turns −0 into +0).
  const double none = 0.0;
  for (int iy = 1; iy <= upcl; ++iy) {
    const int is = m_ + iy;
    for (int jy = 1; jy <= iy; ++jy) {
      wn1(iy, jy) = wn1(iy, jy) + none - none;
      wn1(is, m_ + jy) = wn1(is, m_ + jy) - none + none;
    }
  }
  for (int is = m_ + 1; is <= m_ + upcl; ++is) {
    for (int jy = 1; jy <= upcl; ++jy) {
      if (is <= jy + m_)
        wn1(is, jy) = wn1(is, jy) + none - none;
      else
        wn1(is, jy) = wn1(is, jy) - none + none;
    }
  }

  for (int iy = 1; iy <= col_; ++iy) {
    const int is = col_ + iy, is1 = m_ + iy;
    for (int jy = 1; jy <= iy; ++jy) {
      wn(jy, iy) = wn1(iy, jy) / theta_;
      wn(col_ + jy, is) = wn1(is1, m_ + jy) * theta_;
    }
    for (int jy = 1; jy <= iy - 1; ++jy) wn(jy, is) = -wn1(is1, jy);
    for (int jy = iy; jy <= col_; ++jy) wn(jy, is) = wn1(is1, jy);
    wn(iy, iy) = wn(iy, iy) + sy(iy, iy);
  }
  if (cholesky_upper(col_, wn_.data(), m2) != 0) return -1;
  const int col2 = 2 * col_;
  for (int js = col_ + 1; js <= col2; ++js) triangular_solve(true, col_, wn_.data(), m2, &wn(1, js));
  for (int is = col_ + 1; is <= col2; ++is) {
    for (int js = is; js <= col2; ++js) {
      double dot = 0.0;  // ddot(col, wn(1,is), 1, wn(1,js), 1)
      for (int k = 1; k <= col_; ++k) dot += wn(k, is) * wn(k, js);
      wn(is, js) = wn(is, js) + dot;
    }
  }
  if (cholesky_upper(col_, &wn(col_ + 1, col_ + 1), m2) != 0) return -2;
  return 0;
}

// cmprlb (r = −g) and subsm: wv = K⁻¹ Wᵀ r, then the Newton point z and d = z − x.
int UnboundedLbfgsb::subspace_minimisation() {
  int pointr = head_;
  for (int i = 0; i < col_; ++i) {
    order_[i] = pointr - 1;
    wv_[i] = products_.with_r[pointr - 1];
    wv_[col_ + i] = theta_ * products_.with_r[m_ + pointr - 1];
    pointr = next_slot(pointr);
  }
  const int m2 = 2 * m_, col2 = 2 * col_;
  if (int info = triangular_solve(true, col2, wn_.data(), m2, wv_.data())) return info;
  for (int i = 0; i < col_; ++i) wv_[i] = -wv_[i];
  if (int info = triangular_solve(false, col2, wn_.data(), m2, wv_.data())) return info;
  subspace_point(pairs_, order_.data(), col_, wv_.data(), theta_, x_.data(), g_.data(), z_.data(), d_.data(), dtd_,
                 gd_);
  return 0;
}

LbfgsbResult UnboundedLbfgsb::run() {
  tol_ = (options_.ftol / epsmch_) * epsmch_;  // factr·epsmch, factr as scipy passes it
  evaluate_at_x();
  double gd_unused;
  slope_and_gradient_norm(g_.data(), g_.data(), g_.data(), n_, gd_unused, sbgnrm_);
  if (sbgnrm_ <= options_.gtol) {
    finish(kConvergedGradient, true);
  } else {
    while (true) {
      if (col_ == 0) {
        // cauchy with no breakpoints: the minimiser of the model along −g, t = −f1/f2.
        double tsum = 0.0;
        if (!(sbgnrm_ <= 0.0)) {  // a NaN norm goes on, as in the Fortran
          const double f1 = cauchy_slope(g_.data(), n_);
          const double f2 = -theta_ * f1;
          double dtm = -f1 / f2;
          if (dtm <= 0.0) dtm = 0.0;
          tsum = tsum + dtm;
        }
        steepest_descent_point(x_.data(), g_.data(), tsum, n_, z_.data(), d_.data(), dtd_, gd_);
      } else {
        if (updatd_ && form_k() != 0) {
          refresh_memory();
          continue;
        }
        if (subspace_minimisation() != 0) {
          refresh_memory();
          continue;
        }
      }
      if (!line_search()) {
        if (!result_.message.empty()) break;
        continue;
      }
      // NEW_X: scipy's driver counts the iteration and applies its limits first.
      ++result_.iterations;
      if (result_.iterations >= options_.max_iterations) {
        finish(kIterationLimit, false);
        break;
      }
      if (result_.evaluations > options_.max_evaluations) {
        finish(kEvaluationLimit, false);
        break;
      }
      if (sbgnrm_ <= options_.gtol) {
        finish(kConvergedGradient, true);
        break;
      }
      const double ddum = fortran_max(fortran_max(std::fabs(fold_), std::fabs(f_)), 1.0);
      if (fold_ - f_ <= tol_ * ddum) {
        finish(kConvergedReduction, true);
        break;
      }
      update_memory();
    }
  }
  result_.f = f_;
  result_.x = std::move(x_);
  return result_;
}

}  // namespace

LbfgsbResult minimize_lbfgsb(const Objective& objective, std::vector<double> x0, const LbfgsbOptions& options) {
  if (x0.empty()) throw std::invalid_argument("minimize_lbfgsb: empty starting point");
  if (options.memory < 1 || options.max_iterations < 1 || options.max_evaluations < 1)
    throw std::invalid_argument("minimize_lbfgsb: memory, max_iterations and max_evaluations must be >= 1");
  if (!(options.ftol >= 0.0)) throw std::invalid_argument("minimize_lbfgsb: ftol must be >= 0");
  UnboundedLbfgsb solver(objective, std::move(x0), options);
  return solver.run();
}

}  // namespace oh::regress::mlp
