// numpy's summation orders: pairwise with an 8-way unrolled block for 1-D sums, row by row for
// axis-0 means. The values below are chosen so that a different order gives a different sum.
#include <gtest/gtest.h>

#include <vector>

#include "regress/numerics/numpy_reductions.h"

namespace {

using oh::regress::numerics::pairwise_sum;

TEST(PairwiseSum, PlainLoopBelowEight) {
  // (1e16 + 1) + 1 loses both ones left to right; any regrouping would keep 2.
  const double v[] = {1e16, 1.0, 1.0, -1e16};
  EXPECT_EQ(pairwise_sum(v, 4), 0.0);
}

TEST(PairwiseSum, EightAccumulatorsThenTree) {
  // v[8] = -1e16 lands in accumulator 0 with v[0] = 1e16 and cancels it; the seven other
  // accumulators hold 2 each and v[16] is added last: 15 (numpy 1.24 gives 15.0; left to right
  // gives 8.0).
  double v[17];
  for (double& x : v) x = 1.0;
  v[0] = 1e16;
  v[8] = -1e16;
  EXPECT_EQ(pairwise_sum(v, 17), 15.0);
}

TEST(PairwiseSum, SplitsAboveBlockSize) {
  // np.sum of this vector under numpy 1.24 is 192.0 (0x1.8p+7); a plain loop gives 108.025.
  std::vector<double> v(300);
  for (int i = 0; i < 300; ++i) v[i] = 0.5 + i * 1e-3;
  v[0] = 1e17;
  v[150] = -1e17;
  EXPECT_EQ(pairwise_sum(v.data(), 300), 192.0);
}

TEST(ColumnMeans, AddsRowsInOrder) {
  Eigen::MatrixXd X(3, 2);
  X << 1e16, 1, 1, 2, -1e16, 3;
  const Eigen::RowVectorXd m = oh::regress::numerics::column_means(X);
  EXPECT_EQ(m(0), 0.0);  // (1e16 + 1) - 1e16 = 0 in row order
  EXPECT_EQ(m(1), 2.0);
}

TEST(VarianceOfAll, PopulationVarianceOverEveryEntry) {
  Eigen::MatrixXd X(2, 2);
  X << 1, 2, 3, 4;
  EXPECT_DOUBLE_EQ(oh::regress::numerics::variance_of_all(X), 1.25);
}

}  // namespace
