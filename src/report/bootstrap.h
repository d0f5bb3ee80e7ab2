#pragma once
// Percentile bootstrap of a mean, drawn exactly as numpy would so a reader can reproduce a band:
//   rng = np.random.RandomState(seed)
//   means = [values[rng.randint(0, n, size=n)].mean() for _ in range(resamples)]
//   lower, upper = np.percentile(means, [(100 - level) / 2, 100 - (100 - level) / 2])
#include <cstddef>
#include <cstdint>
#include <vector>

namespace oh::report {

struct BootstrapInterval {
  double lower;
  double upper;
};

struct BootstrapOptions {
  int resamples = 1000;
  uint32_t seed = 0;
  double level_percent = 95.0;  // a percentage, so 95 gives exactly numpy's percentiles 2.5 and 97.5
};

/// Throws InputError on empty `values`, resamples < 1 or a level outside (0, 100).
BootstrapInterval bootstrap_mean_interval(const std::vector<double>& values,
                                          const BootstrapOptions& options = {});

/// numpy's float64 `mean` (pairwise summation over the array, then division by n).
double numpy_mean(const double* values, size_t n);

/// np.percentile(sorted_values, percent) with the default linear method; `sorted_values` ascending.
double numpy_percentile_sorted(const std::vector<double>& sorted_values, double percent);

}  // namespace oh::report
