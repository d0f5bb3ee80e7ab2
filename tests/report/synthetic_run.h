#pragma once
// Synthetic compare results for the report tests: per-seed scores drawn from a seeded numpy
// RandomState, and their summary computed as DESIGN §4.3 defines it.
#include <cstdint>
#include <string>
#include <vector>

#include "report/compare_report.h"

namespace oh::report::testing {

struct SyntheticMethod {
  std::string name;
  double log10_mse;         // typical MSE = 10^log10_mse
  double spread;            // standard deviation of log10 MSE across seeds
  double failure_rate;      // chance the method fails on a seed
  bool exact_zero = false;  // every MSE is 0 (a method that interpolates the test point)
};

struct SyntheticRun {
  std::vector<MethodSummary> summary;  // in the order of the methods given
  std::vector<SeedScore> scores;       // seed-major
};

SyntheticRun make_synthetic_run(const std::vector<SyntheticMethod>& methods, int seeds, uint32_t rng_seed);

/// Four methods across three decades, one of which fails on some seeds and one on all.
std::vector<SyntheticMethod> default_synthetic_methods();

}  // namespace oh::report::testing
