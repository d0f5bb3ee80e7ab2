#pragma once
// Runs tests/reference/sklearn_fit_predict.py under Debian's /usr/bin/python3 (python3-sklearn)
// so conformance tests compare against live scikit-learn, not numbers we wrote down.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "regress/regressor.h"

namespace oh::testing {

struct ReferenceCase {
  std::string method;
  uint32_t random_state = 0;
  regress::Matrix X_train;
  regress::Vector y_train;
  regress::Matrix X_test;
  std::optional<double> constant;
};

/// One prediction vector per case, or the scikit-learn error text in `error`.
struct ReferenceResult {
  std::vector<double> prediction;
  std::string error;
};

/// Runs a Python reference script under /usr/bin/python3 with `input` on stdin and parses its stdout
/// as JSON. `script` is a path below tests/ ("regress_trees/tree_reference.py"); a bare file name
/// means tests/reference/<name>.
nlohmann::json run_python_reference(const std::string& script, const std::string& input = "");

/// Rows of X as a JSON array of arrays (doubles round-trip exactly).
nlohmann::json matrix_json(const regress::Matrix& X);

/// True when /usr/bin/python3 can import sklearn (tests skip with a message otherwise).
bool sklearn_available();

/// Runs every case through scikit-learn in one Python process. `script` is another reference with the
/// same case/result format (e.g. "check_exact_sweep.py").
std::vector<ReferenceResult> sklearn_predict(const std::vector<ReferenceCase>& cases,
                                             const std::string& script = "sklearn_fit_predict.py");

/// A seeded test problem: X ~ U(low, high)^(n × d) drawn from numpy's RandomState, and y a
/// smooth nonlinear function of X plus noise, both rounded to `decimals` like the datasets.
struct Problem {
  regress::Matrix X_train, X_test;
  regress::Vector y_train;
};
Problem random_problem(uint32_t seed, int n_train, int n_test, int d, double low = 0.0, double high = 1.0,
                       int decimals = 3);

}  // namespace oh::testing
