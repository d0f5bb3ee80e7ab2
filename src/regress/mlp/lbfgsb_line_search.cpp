#include "regress/mlp/lbfgsb_line_search.h"

#include <cmath>

namespace oh::regress::mlp {
namespace {

// gfortran compiles MAX(a, b) / MIN(a, b) to maxsd / minsd with `a` as the destination, which
// returns `b` when either is NaN; these keep that order.
inline double fortran_max(double a, double b) { return a > b ? a : b; }
inline double fortran_min(double a, double b) { return a < b ? a : b; }

constexpr double kFtol = 1.0e-3, kGtol = 0.9, kXtol = 0.1, kMinStep = 0.0;
constexpr double kP5 = 0.5, kP66 = 0.66, kExtrapolateLow = 1.1, kExtrapolateHigh = 4.0;

// dcstep: a safeguarded cubic/quadratic step that keeps [stx, sty] around a minimiser.
// (stx, fx, dx) is the best step so far, (sty, fy, dy) the other end, (stp, fp, dp) the trial.
void safeguarded_step(double& stx, double& fx, double& dx, double& sty, double& fy, double& dy, double& stp,
                      double fp, double dp, bool& brackt, double stpmin, double stpmax) {
  const double sgnd = dp * (dx / std::fabs(dx));
  double stpf;
  if (fp > fx) {
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = fortran_max(fortran_max(std::fabs(theta), std::fabs(dx)), std::fabs(dp));
    double gamma = s * std::sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const double p = (gamma - dx) + theta;
    const double q = ((gamma - dx) + gamma) + dp;
    const double r = p / q;
    const double stpc = stx + r * (stp - stx);
    const double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
    stpf = std::fabs(stpc - stx) < std::fabs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
    brackt = true;
  } else if (sgnd < 0.0) {
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = fortran_max(fortran_max(std::fabs(theta), std::fabs(dx)), std::fabs(dp));
    double gamma = s * std::sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = ((gamma - dp) + gamma) + dx;
    const double r = p / q;
    const double stpc = stp + r * (stx - stp);
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
    brackt = true;
  } else if (std::fabs(dp) < std::fabs(dx)) {
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = fortran_max(fortran_max(std::fabs(theta), std::fabs(dx)), std::fabs(dp));
    double gamma = s * std::sqrt(fortran_max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = (gamma + (dx - dp)) + gamma;
    const double r = p / q;
    double stpc;
    if (r < 0.0 && gamma != 0.0)
      stpc = stp + r * (stx - stp);
    else if (stp > stx)
      stpc = stpmax;
    else
      stpc = stpmin;
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt) {
      stpf = std::fabs(stpc - stp) < std::fabs(stpq - stp) ? stpc : stpq;
      if (stp > stx)
        stpf = fortran_min(stp + kP66 * (sty - stp), stpf);
      else
        stpf = fortran_max(stp + kP66 * (sty - stp), stpf);
    } else {
      stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
      stpf = fortran_min(stpmax, stpf);
      stpf = fortran_max(stpmin, stpf);
    }
  } else if (brackt) {
    const double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
    const double s = fortran_max(fortran_max(std::fabs(theta), std::fabs(dy)), std::fabs(dp));
    double gamma = s * std::sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
    if (stp > sty) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = ((gamma - dp) + gamma) + dy;
    const double r = p / q;
    stpf = stp + r * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }

  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0.0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  stp = stpf;
}

}  // namespace

MoreThuenteSearch::Task MoreThuenteSearch::advance(double f, double g, double& stp, double stpmax) {
  if (task_ == Task::kStart) {
    if (stp < kMinStep || stp > stpmax || g >= 0.0 || stpmax < kMinStep) {
      task_ = Task::kError;
      return task_;
    }
    bracketed_ = false;
    stage_ = 1;
    initial_value_ = f;
    initial_slope_ = g;
    slope_test_ = kFtol * initial_slope_;
    width_ = stpmax - kMinStep;
    previous_width_ = width_ / kP5;
    best_step_ = 0.0;
    best_value_ = initial_value_;
    best_slope_ = initial_slope_;
    other_step_ = 0.0;
    other_value_ = initial_value_;
    other_slope_ = initial_slope_;
    min_step_ = 0.0;
    max_step_ = stp + kExtrapolateHigh * stp;
    task_ = Task::kEvaluate;
    return task_;
  }

  // Fortran names from here on, for a line-by-line reading against dcsrch.
  double &stx = best_step_, &fx = best_value_, &gx = best_slope_;
  double &sty = other_step_, &fy = other_value_, &gy = other_slope_;
  double &stmin = min_step_, &stmax = max_step_;
  const double finit = initial_value_, ginit = initial_slope_, gtest = slope_test_;

  const double ftest = finit + stp * gtest;
  if (stage_ == 1 && f <= ftest && g >= 0.0) stage_ = 2;

  Task task = task_;
  if (bracketed_ && (stp <= stmin || stp >= stmax)) task = Task::kWarning;
  if (bracketed_ && stmax - stmin <= kXtol * stmax) task = Task::kWarning;
  if (stp == stpmax && f <= ftest && g <= gtest) task = Task::kWarning;
  if (stp == kMinStep && (f > ftest || g >= gtest)) task = Task::kWarning;
  if (f <= ftest && std::fabs(g) <= kGtol * (-ginit)) task = Task::kConverged;
  if (task == Task::kWarning || task == Task::kConverged) {
    task_ = task;
    return task_;
  }

  if (stage_ == 1 && f <= fx && f > ftest) {
    // The modified function ψ(stp) = f(stp) − f(0) − ftol·stp·f'(0) predicts the step.
    const double fm = f - stp * gtest;
    double fxm = fx - stx * gtest;
    double fym = fy - sty * gtest;
    const double gm = g - gtest;
    double gxm = gx - gtest;
    double gym = gy - gtest;
    safeguarded_step(stx, fxm, gxm, sty, fym, gym, stp, fm, gm, bracketed_, stmin, stmax);
    fx = fxm + stx * gtest;
    fy = fym + sty * gtest;
    gx = gxm + gtest;
    gy = gym + gtest;
  } else {
    safeguarded_step(stx, fx, gx, sty, fy, gy, stp, f, g, bracketed_, stmin, stmax);
  }

  if (bracketed_) {
    if (std::fabs(sty - stx) >= kP66 * previous_width_) stp = stx + kP5 * (sty - stx);
    previous_width_ = width_;
    width_ = std::fabs(sty - stx);
  }
  if (bracketed_) {
    stmin = fortran_min(stx, sty);
    stmax = fortran_max(stx, sty);
  } else {
    stmin = stp + kExtrapolateLow * (stp - stx);
    stmax = stp + kExtrapolateHigh * (stp - stx);
  }
  stp = fortran_max(stp, kMinStep);
  stp = fortran_min(stp, stpmax);
  if ((bracketed_ && (stp <= stmin || stp >= stmax)) || (bracketed_ && stmax - stmin <= kXtol * stmax)) stp = stx;
  task_ = Task::kEvaluate;
  return task_;
}

}  // namespace oh::regress::mlp
