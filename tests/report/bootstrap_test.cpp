// The bootstrap behind the compare report's intervals, checked bit for bit against numpy
// (tests/report/numpy_bootstrap.py) and on properties that hold for any data.
#include "report/bootstrap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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

struct NumpyCase {
  std::vector<double> values;
  BootstrapOptions options;
};

// Runs every case through tests/report/numpy_bootstrap.py and requires identical doubles.
void expect_numpy_agreement(const std::vector<NumpyCase>& cases) {
  nlohmann::json input = nlohmann::json::array();
  for (const NumpyCase& c : cases) {
    const double tail = (100.0 - c.options.level_percent) / 2.0;
    input.push_back({{"values", c.values},
                     {"resamples", c.options.resamples},
                     {"seed", c.options.seed},
                     {"percents", {tail, 100.0 - tail}}});
  }
  const nlohmann::json expected = testing::run_python_reference("report/numpy_bootstrap.py", input.dump());
  ASSERT_EQ(expected.size(), cases.size());
  size_t identical = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const NumpyCase& c = cases[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": n = " + std::to_string(c.values.size()));
    const double mean = numpy_mean(c.values.data(), c.values.size());
    const BootstrapInterval band = bootstrap_mean_interval(c.values, c.options);
    EXPECT_EQ(mean, expected[i]["mean"].get<double>());
    EXPECT_EQ(band.lower, expected[i]["interval"][0].get<double>());
    EXPECT_EQ(band.upper, expected[i]["interval"][1].get<double>());
    identical += mean == expected[i]["mean"].get<double>() &&
                 band.lower == expected[i]["interval"][0].get<double>() &&
                 band.upper == expected[i]["interval"][1].get<double>();
  }
  std::printf("bootstrap vs numpy: %zu of %zu cases bit-identical\n", identical, cases.size());
}

TEST(Bootstrap, MatchesNumpyBitForBit) {
  // Sizes cover numpy's summation regimes: < 8 (plain loop), 8..128 (8 accumulators), > 128
  // (pairwise halves), and odd remainders; options vary resamples, seed and level.
  const std::vector<size_t> sizes = {1, 2, 7, 8, 9, 25, 100, 129, 300};
  std::vector<NumpyCase> cases;
  for (size_t i = 0; i < sizes.size(); ++i) {
    cases.push_back({heavy_tailed_values(static_cast<uint32_t>(100 + i), sizes[i]),
                     {i % 3 == 2 ? 257 : 1000, static_cast<uint32_t>(i % 2 == 0 ? 0 : 7 + i),
                      i % 4 == 3 ? 90.0 : 95.0}});
  }
  expect_numpy_agreement(cases);
}

// The larger sweep (about 10 s): --gtest_also_run_disabled_tests --gtest_filter='*NumpySweep*'
TEST(Bootstrap, DISABLED_NumpySweep) {
  RandomState sizes(2024);
  std::vector<NumpyCase> cases;
  for (uint32_t i = 0; i < 200; ++i) {
    const size_t n = static_cast<size_t>(sizes.randint(1, 1001));
    cases.push_back({heavy_tailed_values(1000 + i, n),
                     {1000, i, i % 5 == 0 ? 80.0 : 95.0}});
  }
  expect_numpy_agreement(cases);
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
