#pragma once
// Summary statistics of a comparison (DESIGN §4.3): per-seed scores, ranks with averaged ties,
// wins, and per-method means and medians.
#include <string>
#include <vector>

#include "report/compare_report.h"

namespace oh::experiments {

/// Per-method summary over seeds. Methods appear in `method_order`; a method's rank on a seed is
/// its position by MSE among the methods that are ok on that seed (ties share the average rank).
std::vector<report::MethodSummary> summarize(const std::vector<report::SeedScore>& scores,
                                             const std::vector<std::string>& method_order);

}  // namespace oh::experiments
