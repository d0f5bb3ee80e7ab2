#pragma once
// Unconstrained minimisation with L-BFGS-B 3.0 as scipy.optimize.minimize(method='L-BFGS-B')
// runs it on Debian (the Fortran liblbfgsb with its LAPACK patch, reference BLAS): a C++ port of
// the unbounded path (nbd = 0 everywhere) that performs the same floating-point operations in
// the same order, so iterates, evaluation counts and stops are bit-identical to the Fortran,
// driven like scipy's loop (same iteration and evaluation counting, same stops).
#include <functional>
#include <string>
#include <vector>

namespace oh::regress::mlp {

struct LbfgsbOptions {
  int memory = 10;                  // scipy's maxcor (m)
  int max_iterations = 200;         // scipy's maxiter: counted on each NEW_X
  int max_evaluations = 15000;      // scipy's maxfun: checked on each NEW_X, stops once exceeded
  double ftol = 2.2204460492503131e-09;  // scipy's default; factr = ftol / machine epsilon
  double gtol = 1e-4;               // pgtol
};

struct LbfgsbResult {
  std::vector<double> x;
  double f = 0.0;
  int iterations = 0;   // scipy's nit
  int evaluations = 0;  // scipy's nfev (distinct points evaluated)
  bool converged = false;  // the task ended with CONVERGENCE (scipy's success)
  std::string message;     // the final task text, e.g. "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH"
};

/// Writes the gradient at x (size n) and returns the objective.
using Objective = std::function<double(const double* x, double* gradient)>;

/// Minimises `objective` from x0. Throws std::invalid_argument on an empty x0 or bad options
/// (memory, max_iterations, max_evaluations < 1; ftol < 0).
LbfgsbResult minimize_lbfgsb(const Objective& objective, std::vector<double> x0, const LbfgsbOptions& options);

}  // namespace oh::regress::mlp
