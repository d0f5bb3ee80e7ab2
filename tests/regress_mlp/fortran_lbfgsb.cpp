#include "fortran_lbfgsb.h"

#include <algorithm>
#include <cfloat>
#include <cstring>
#include <stdexcept>

// L-BFGS-B 3.0's entry point (Fortran 77). Every argument is passed by reference; LOGICAL is a
// 4-byte integer; the two CHARACTER*60 arguments add hidden lengths at the end (size_t since
// gfortran 8). Version 3.0 has no `maxls` argument: its line search stops after 20 steps, which
// is scipy's default maxls.
extern "C" void setulb_(const int* n, const int* m, double* x, const double* l, const double* u, const int* nbd,
                        double* f, double* g, const double* factr, const double* pgtol, double* wa, int* iwa,
                        char* task, const int* iprint, char* csave, int* lsave, int* isave, double* dsave,
                        std::size_t task_length, std::size_t csave_length);

namespace oh::testing {
namespace {

using regress::mlp::LbfgsbOptions;
using regress::mlp::LbfgsbResult;
using regress::mlp::Objective;

constexpr std::size_t kTaskLength = 60;

// A Fortran CHARACTER*60 value: blank-padded, as f2py hands scipy's task string to the library.
struct FortranText {
  char text[kTaskLength];
  void assign(const char* value) {
    std::memset(text, ' ', kTaskLength);
    std::memcpy(text, value, std::min(std::strlen(value), kTaskLength));
  }
  bool starts_with(const char* prefix) const { return std::strncmp(text, prefix, std::strlen(prefix)) == 0; }
  std::string trimmed() const {
    std::size_t end = kTaskLength;
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\0')) --end;
    return std::string(text, end);
  }
};

}  // namespace

LbfgsbResult minimize_lbfgsb_fortran(const Objective& objective, std::vector<double> x0, const LbfgsbOptions& options) {
  if (x0.empty()) throw std::invalid_argument("minimize_lbfgsb_fortran: empty starting point");
  if (options.memory < 1 || options.max_iterations < 1 || options.max_evaluations < 1)
    throw std::invalid_argument("minimize_lbfgsb_fortran: memory, max_iterations and max_evaluations must be >= 1");
  const int n = static_cast<int>(x0.size());
  const int m = options.memory;
  const double factr = options.ftol / DBL_EPSILON;
  const double pgtol = options.gtol;
  const int iprint = -1;

  LbfgsbResult result;
  std::vector<double>& x = result.x;
  x = std::move(x0);
  const std::vector<double> bounds(n, 0.0);
  const std::vector<int> bound_kind(n, 0);  // 0: unbounded
  std::vector<double> g(n, 0.0);
  std::vector<double> wa(2 * static_cast<std::size_t>(m) * n + 5 * static_cast<std::size_t>(n) + 11 * m * m + 8 * m);
  std::vector<int> iwa(3 * static_cast<std::size_t>(n));
  int lsave[4] = {};
  int isave[44] = {};
  double dsave[29] = {};
  FortranText task, csave;
  task.assign("START");
  csave.assign("");
  double f = 0.0;

  // scipy's ScalarFunction re-evaluates only when x changes; nfev counts real evaluations.
  std::vector<double> evaluated_x, evaluated_g(n);
  double evaluated_f = 0.0;

  while (true) {
    setulb_(&n, &m, x.data(), bounds.data(), bounds.data(), bound_kind.data(), &f, g.data(), &factr, &pgtol,
            wa.data(), iwa.data(), task.text, &iprint, csave.text, lsave, isave, dsave, kTaskLength, kTaskLength);
    if (task.starts_with("FG")) {
      if (evaluated_x != x) {
        evaluated_f = objective(x.data(), evaluated_g.data());
        evaluated_x = x;
        ++result.evaluations;
      }
      f = evaluated_f;
      g = evaluated_g;
    } else if (task.starts_with("NEW_X")) {
      ++result.iterations;
      if (result.iterations >= options.max_iterations)
        task.assign("STOP: TOTAL NO. of ITERATIONS REACHED LIMIT");
      else if (result.evaluations > options.max_evaluations)
        task.assign("STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT");
    } else {
      break;
    }
  }
  result.f = f;
  result.message = task.trimmed();
  result.converged = task.starts_with("CONV");
  return result;
}

}  // namespace oh::testing
