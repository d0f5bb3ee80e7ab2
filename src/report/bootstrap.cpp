#include "report/bootstrap.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/numpy_random.h"

namespace oh::report {
namespace {

// numpy's pairwise_sum for float64: 8 accumulators up to a block of 128, halves above that
// (the split rounded down to a multiple of 8). Matching it makes bands reproducible to the bit.
double pairwise_sum(const double* a, size_t n) {
  constexpr size_t kBlock = 128;
  if (n < 8) {
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) sum += a[i];
    return sum;
  }
  if (n <= kBlock) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i];
    return sum;
  }
  size_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}

}  // namespace

double numpy_mean(const double* values, size_t n) {
  return pairwise_sum(values, n) / static_cast<double>(n);
}

double numpy_percentile_sorted(const std::vector<double>& sorted_values, double percent) {
  const size_t n = sorted_values.size();
  const double q = percent / 100.0;
  // numpy's _compute_virtual_index with alpha = beta = 1 (the 'linear' method), same operation order.
  const double virtual_index = static_cast<double>(n) * q + (1.0 + q * (1.0 - 1.0 - 1.0)) - 1.0;
  if (virtual_index >= static_cast<double>(n - 1)) return sorted_values[n - 1];
  if (virtual_index < 0.0) return sorted_values[0];
  const double previous_index = std::floor(virtual_index);
  const double gamma = virtual_index - previous_index;
  const double a = sorted_values[static_cast<size_t>(previous_index)];
  const double b = sorted_values[static_cast<size_t>(previous_index) + 1];
  // numpy's _lerp: interpolate from the nearer end.
  const double difference = b - a;
  return gamma >= 0.5 ? b - difference * (1.0 - gamma) : a + difference * gamma;
}

BootstrapInterval bootstrap_mean_interval(const std::vector<double>& values,
                                          const BootstrapOptions& options) {
  if (values.empty()) throw InputError("bootstrap: no values to resample");
  if (options.resamples < 1) {
    throw InputError(fmt::format("bootstrap: resamples must be >= 1, got {}", options.resamples));
  }
  if (!(options.level_percent > 0.0 && options.level_percent < 100.0)) {
    throw InputError(fmt::format("bootstrap: level must be a percentage in (0, 100), got {}",
                                 options.level_percent));
  }
  const size_t n = values.size();
  RandomState rng(options.seed);
  std::vector<double> means(static_cast<size_t>(options.resamples));
  std::vector<double> resample(n);
  for (double& mean : means) {
    // randint(0, n, size=n) draws its integers one after another, as single draws do.
    for (double& picked : resample) picked = values[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(n)))];
    mean = numpy_mean(resample.data(), n);
  }
  std::sort(means.begin(), means.end());
  const double tail = (100.0 - options.level_percent) / 2.0;
  return {numpy_percentile_sorted(means, tail), numpy_percentile_sorted(means, 100.0 - tail)};
}

}  // namespace oh::report
