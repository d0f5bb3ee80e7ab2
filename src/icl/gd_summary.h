#pragma once
// What `optim-hunter icl gd` reports: K-step GD from 0 with η line-searched on one seeded task set,
// evaluated on another, beside the LSA construction with that η on the same tasks and least squares.
#include <cstdint>

#include "icl/linear_tasks.h"

namespace oh::icl {

struct GdSummaryConfig {
  LinearTaskConfig task;
  int steps = 1;
  int64_t tasks = 10000, line_search_tasks = 10000;
  uint64_t seed = 1, line_search_seed = 2;  // the defaults of a training run's eval and line-search sets
};

struct GdSummary {
  double eta = 0, line_search_loss = 0;
  double gd_loss = 0;                  // ½ MSE on the evaluation tasks
  double lsa_loss = 0;                 // the constructed K-layer LSA on the same tasks
  double lsa_vs_gd_max_abs_diff = 0;   // largest |ŷ_LSA − ŷ_GD| over those tasks
  double least_squares_loss = 0;
};

GdSummary summarize_gd(const GdSummaryConfig& config);

}  // namespace oh::icl
