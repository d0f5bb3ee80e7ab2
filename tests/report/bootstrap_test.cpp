// The bootstrap behind the compare report's intervals, checked bit for bit against numpy
// (tests/report/numpy_bootstrap.py) and on properties that hold for any data.
#include "report/bootstrap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/numpy_random.h"
#include "support/sklearn_reference.h"

namespace oh::report {
namespace {

// Positive values spanning decades, like per-seed MSEs.
std::vector<double> heavy_tailed_values(uint32_t seed, size_t n) {
  RandomState rng(seed);
  std::vector<double> values(n);
  for (double& v : values) {
    const double z = rng.standard_normal();
    v = z * z * 1000.0 + rng.random_sample();
  }
  return values;
}

TEST(Bootstrap, MatchesNumpyBitForBit) {
  // Sizes cover numpy's summation regimes: < 8 (plain loop), 8..128 (8 accumulators), > 128
  // (pairwise halves), and odd remainders.
  const std::vector<size_t> sizes = {1, 2, 7, 8, 9, 25, 100, 129, 300};
  nlohmann::json cases = nlohmann::json::array();
  std::vector<std::vector<double>> inputs;
  std::vector<BootstrapOptions> options;
  for (size_t i = 0; i < sizes.size(); ++i) {
    inputs.push_back(heavy_tailed_values(static_cast<uint32_t>(100 + i), sizes[i]));
    const BootstrapOptions option{i % 3 == 2 ? 257 : 1000, static_cast<uint32_t>(i % 2 == 0 ? 0 : 7 + i),
                                  i % 4 == 3 ? 90.0 : 95.0};
    options.push_back(option);
    const double tail = (100.0 - option.level_percent) / 2.0;
    cases.push_back({{"values", inputs.back()},
                     {"resamples", option.resamples},
                     {"seed", option.seed},
                     {"percents", {tail, 100.0 - tail}}});
  }
  const nlohmann::json expected = testing::run_python_reference("../report/numpy_bootstrap.py", cases.dump());
  ASSERT_EQ(expected.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE("n = " + std::to_string(sizes[i]));
    EXPECT_EQ(numpy_mean(inputs[i].data(), inputs[i].size()), expected[i]["mean"].get<double>());
    const BootstrapInterval band = bootstrap_mean_interval(inputs[i], options[i]);
    EXPECT_EQ(band.lower, expected[i]["interval"][0].get<double>());
    EXPECT_EQ(band.upper, expected[i]["interval"][1].get<double>());
  }
}

TEST(Bootstrap, ConstantValuesGiveAZeroWidthInterval) {
  const BootstrapInterval band = bootstrap_mean_interval(std::vector<double>(40, 2.5));
  EXPECT_EQ(band.lower, 2.5);
  EXPECT_EQ(band.upper, 2.5);
}

TEST(Bootstrap, IntervalLiesWithinTheDataAndNarrowsWithLowerLevel) {
  const std::vector<double> values = heavy_tailed_values(3, 60);
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const BootstrapInterval wide = bootstrap_mean_interval(values, {1000, 0, 99.0});
  const BootstrapInterval narrow = bootstrap_mean_interval(values, {1000, 0, 50.0});
  EXPECT_LT(*low, wide.lower);
  EXPECT_LT(wide.lower, narrow.lower);
  EXPECT_LT(narrow.lower, narrow.upper);
  EXPECT_LT(narrow.upper, wide.upper);
  EXPECT_LT(wide.upper, *high);
}

TEST(Bootstrap, SameSeedSameIntervalOtherSeedOtherInterval) {
  const std::vector<double> values = heavy_tailed_values(5, 30);
  const BootstrapInterval a = bootstrap_mean_interval(values, {1000, 0, 95.0});
  const BootstrapInterval b = bootstrap_mean_interval(values, {1000, 0, 95.0});
  const BootstrapInterval c = bootstrap_mean_interval(values, {1000, 1, 95.0});
  EXPECT_EQ(a.lower, b.lower);
  EXPECT_EQ(a.upper, b.upper);
  EXPECT_NE(a.lower, c.lower);
}

TEST(Bootstrap, PercentileInterpolatesLikeNumpy) {
  // np.percentile([1, 2, 4, 8], [0, 25, 50, 90, 100]) = [1, 1.75, 3, 6.8, 8]
  const std::vector<double> sorted = {1.0, 2.0, 4.0, 8.0};
  EXPECT_EQ(numpy_percentile_sorted(sorted, 0.0), 1.0);
  EXPECT_EQ(numpy_percentile_sorted(sorted, 25.0), 1.75);
  EXPECT_EQ(numpy_percentile_sorted(sorted, 50.0), 3.0);
  EXPECT_DOUBLE_EQ(numpy_percentile_sorted(sorted, 90.0), 6.8);
  EXPECT_EQ(numpy_percentile_sorted(sorted, 100.0), 8.0);
}

TEST(Bootstrap, RejectsBadInput) {
  EXPECT_THROW(bootstrap_mean_interval({}), InputError);
  EXPECT_THROW(bootstrap_mean_interval({1.0}, {0, 0, 95.0}), InputError);
  EXPECT_THROW(bootstrap_mean_interval({1.0}, {10, 0, 100.0}), InputError);
  EXPECT_THROW(bootstrap_mean_interval({1.0}, {10, 0, 0.0}), InputError);
}

}  // namespace
}  // namespace oh::report
