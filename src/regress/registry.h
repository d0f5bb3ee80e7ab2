#pragma once
// Name → factory table of the regressor zoo (DESIGN §4.5). `optim-hunter regressors` prints it;
// `compare --regressors` resolves names through it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "regress/regressor.h"

namespace oh::regress {

/// How a method's predictions are checked against scikit-learn (DESIGN §4.5).
enum class Agreement { kExact, kTrees, kMlp, kBruteForce };
const char* agreement_name(Agreement agreement);

struct RegressorSpec {
  std::string name;
  std::string library;          // what computes it: "Eigen", "libsvm", "L-BFGS-B + Eigen", "CART (ours)"
  Agreement agreement;
  std::string hyperparameters;  // scikit-learn-style description; part of the resume key
  bool in_all;                  // included in `--regressors all`
  std::function<std::unique_ptr<Regressor>(const RegressorOptions&)> make;
  /// The values of the RegressorOptions this method reads besides random_state (e.g. "constant=5"),
  /// so they enter its resume key and only its; empty for methods that read none.
  std::function<std::string(const RegressorOptions&)> option_values = nullptr;
};

/// Every registered regressor in listing order.
const std::vector<RegressorSpec>& all_regressors();

/// Looks a name up; throws InputError listing the valid names when it is unknown.
const RegressorSpec& find_regressor(const std::string& name);

/// Resolves "all" or a comma-separated list to specs, in the order given (duplicates removed).
std::vector<const RegressorSpec*> resolve_regressors(const std::string& list);

}  // namespace oh::regress
