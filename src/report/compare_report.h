#pragma once
// The report of `optim-hunter compare`: mean MSE per method with bootstrap intervals, the
// per-seed MSE distribution, the ranking table and the run configuration (DESIGN §4.3 defines
// the summary statistics; the caller computes them, this module only presents them).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "report/document.h"

namespace oh::report {

/// One method's result on one seed; `ok` is false when the method failed there (mse/mae unused).
struct SeedScore {
  std::string method;
  int64_t seed;
  double mse;
  double mae;
  bool ok;
};

struct MethodSummary {
  std::string method;
  int n;  // seeds with a valid result
  double mean_mse, median_mse, mean_mae, mean_rank;
  int wins, failures;
};

/// Builds the page. Throws InputError when the inputs disagree: a score or summary naming an
/// unknown or repeated method, a repeated (method, seed), a non-finite ok score, or a summary
/// whose n differs from its method's count of ok scores.
Document build_compare_report(const nlohmann::json& run_config,
                              const std::vector<MethodSummary>& summary,
                              const std::vector<SeedScore>& scores);

/// build_compare_report, written atomically to `path`.
void write_compare_report(const std::string& path, const nlohmann::json& run_config,
                          const std::vector<MethodSummary>& summary,
                          const std::vector<SeedScore>& scores);

}  // namespace oh::report
