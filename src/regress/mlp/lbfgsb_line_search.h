#pragma once
// The Moré–Thuente line search of MINPACK-2 (dcsrch/dcstep) as L-BFGS-B 3.0 calls it from lnsrlb:
// ftol = 1e-3, gtol = 0.9, xtol = 0.1, stpmin = 0. Every expression keeps the Fortran's
// evaluation order, so each trial step rounds exactly as Debian's liblbfgsb computes it.

namespace oh::regress::mlp {

class MoreThuenteSearch {
 public:
  enum class Task { kStart, kEvaluate, kConverged, kWarning, kError };

  /// Begins a new search (the caller's csave = 'START').
  void restart() { task_ = Task::kStart; }
  /// One call of dcsrch with the function value and slope at `step`; updates `step` and returns
  /// the new task. kError keeps the step (and, like the Fortran, the next call continues from
  /// the saved state of the previous search).
  Task advance(double value, double slope, double& step, double max_step);

 private:
  Task task_ = Task::kStart;
  // dcsrch's saved locals; zero until the first search starts, as the driver's dsave/isave.
  bool bracketed_ = false;
  int stage_ = 0;
  double initial_slope_ = 0, slope_test_ = 0, best_slope_ = 0, other_slope_ = 0;
  double initial_value_ = 0, best_value_ = 0, other_value_ = 0;
  double best_step_ = 0, other_step_ = 0, min_step_ = 0, max_step_ = 0, width_ = 0, previous_width_ = 0;
};

}  // namespace oh::regress::mlp
