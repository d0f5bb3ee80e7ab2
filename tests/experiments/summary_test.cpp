// Summary statistics (DESIGN §4.3): averaged tied ranks, wins shared by ties, failures excluded.
#include <gtest/gtest.h>

#include <cmath>

#include "experiments/summary.h"

using oh::report::SeedScore;

TEST(Summary, RanksTiesWinsAndFailures) {
  const std::vector<SeedScore> scores = {
      {"a", 0, 1.0, 1.0, true},  {"b", 0, 1.0, 1.0, true}, {"c", 0, 4.0, 2.0, true},
      {"a", 1, 9.0, 3.0, true},  {"b", 1, 0.0, 0.0, false}, {"c", 1, 1.0, 1.0, true},
      {"a", 2, 16.0, 4.0, true}, {"b", 2, 4.0, 2.0, true}, {"c", 2, 0.0, 0.0, false},
  };
  const auto summary = oh::experiments::summarize(scores, {"a", "b", "c"});
  ASSERT_EQ(summary.size(), 3u);
  const auto& a = summary[0];
  EXPECT_EQ(a.n, 3);
  EXPECT_EQ(a.failures, 0);
  EXPECT_DOUBLE_EQ(a.mean_mse, (1.0 + 9.0 + 16.0) / 3);
  EXPECT_DOUBLE_EQ(a.median_mse, 9.0);
  EXPECT_DOUBLE_EQ(a.mean_mae, (1.0 + 3.0 + 4.0) / 3);
  EXPECT_DOUBLE_EQ(a.mean_rank, (1.5 + 2.0 + 2.0) / 3);  // tie with b on seed 0 → 1.5
  EXPECT_EQ(a.wins, 1);                                   // the tie counts for both
  const auto& b = summary[1];
  EXPECT_EQ(b.n, 2);
  EXPECT_EQ(b.failures, 1);
  EXPECT_DOUBLE_EQ(b.median_mse, 2.5);  // even count: mean of the middle two
  EXPECT_DOUBLE_EQ(b.mean_rank, (1.5 + 1.0) / 2);
  EXPECT_EQ(b.wins, 2);
  const auto& c = summary[2];
  EXPECT_EQ(c.wins, 1);
  EXPECT_DOUBLE_EQ(c.mean_rank, (3.0 + 1.0) / 2);
}

TEST(Summary, MethodWithoutValidSeedsHasNanMeans) {
  const auto summary = oh::experiments::summarize({{"x", 0, 0.0, 0.0, false}}, {"x"});
  EXPECT_EQ(summary[0].n, 0);
  EXPECT_EQ(summary[0].failures, 1);
  EXPECT_TRUE(std::isnan(summary[0].mean_mse));
}
