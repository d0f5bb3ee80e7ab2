// Feature transformers: StandardScaler, PolynomialFeatures column order, SplineTransformer basis.
#include <gtest/gtest.h>

#include <cmath>

#include "regress/preprocess/polynomial_features.h"
#include "regress/preprocess/spline_transformer.h"
#include "regress/preprocess/standard_scaler.h"

namespace {

using oh::regress::Matrix;

TEST(StandardScaler, PopulationStdAndConstantColumnsKeepScaleOne) {
  Matrix X(4, 2);
  X << 1, 5, 2, 5, 3, 5, 4, 5;
  oh::regress::StandardScaler scaler;
  scaler.fit(X);
  EXPECT_DOUBLE_EQ(scaler.mean()(0), 2.5);
  EXPECT_DOUBLE_EQ(scaler.scale()(0), std::sqrt(1.25));  // ddof = 0
  EXPECT_EQ(scaler.scale()(1), 1.0);                     // constant column: not a failure
  const Matrix Z = scaler.transform(X);
  EXPECT_DOUBLE_EQ(Z(0, 0), -1.5 / std::sqrt(1.25));
  EXPECT_EQ(Z(2, 1), 0.0);
  EXPECT_THROW(scaler.transform(Matrix(1, 3)), std::invalid_argument);
}

TEST(StandardScaler, NearConstantColumnWithinRoundingIsConstant) {
  Matrix X(3, 1);
  X << 0.1 + 0.2, 0.3, 0.3;  // differs by one ulp: variance below the two-pass error bound
  oh::regress::StandardScaler scaler;
  scaler.fit(X);
  EXPECT_EQ(scaler.scale()(0), 1.0);
}

TEST(PolynomialFeatures, CombinationsWithReplacementOrder) {
  Matrix X(1, 3);
  X << 2, 3, 5;
  oh::regress::PolynomialFeatures poly(3, true);
  poly.fit(X);
  const Matrix P = poly.transform(X);
  // 1, a, b, c, a², ab, ac, b², bc, c², a³, a²b, a²c, ab², abc, ac², b³, b²c, bc², c³
  const double expected[] = {1, 2, 3, 5, 4, 6, 10, 9, 15, 25, 8, 12, 20, 18, 30, 50, 27, 45, 75, 125};
  ASSERT_EQ(P.cols(), 20);
  for (int j = 0; j < 20; ++j) EXPECT_EQ(P(0, j), expected[j]) << "column " << j;
}

TEST(PolynomialFeatures, ColumnCounts) {
  using oh::regress::PolynomialFeatures;
  EXPECT_EQ(PolynomialFeatures::output_columns(10, 10, false), 184755);
  EXPECT_EQ(PolynomialFeatures::output_columns(10, 2, true), 66);
  EXPECT_EQ(PolynomialFeatures::output_columns(1, 10, false), 10);
  Matrix X = Matrix::Random(4, 10);
  PolynomialFeatures poly(10, false);
  poly.fit(X);
  EXPECT_EQ(poly.transform(X).cols(), 184755);
}

TEST(SplineTransformer, UniformKnotsExtendedByEndSpacing) {
  Matrix X(3, 1);
  X << 0.0, 2.0, 4.0;
  oh::regress::SplineTransformer spline(5, 3);
  spline.fit(X);
  const std::vector<double> expected = {-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(spline.knots(0), expected);
  EXPECT_EQ(spline.splines_per_feature(), 7);
}

TEST(SplineTransformer, CubicBasisAtKnotsAndPartitionOfUnity) {
  Matrix X(2, 1);
  X << 0.0, 4.0;
  oh::regress::SplineTransformer spline(5, 3);
  spline.fit(X);
  Matrix at(3, 1);
  at << 1.0, 2.5, 4.0;
  const Matrix B = spline.transform(at);
  // A uniform cubic B-spline is 1/6, 4/6, 1/6 at consecutive knots.
  EXPECT_NEAR(B(0, 1), 1.0 / 6, 1e-15);
  EXPECT_NEAR(B(0, 2), 4.0 / 6, 1e-15);
  EXPECT_NEAR(B(0, 3), 1.0 / 6, 1e-15);
  EXPECT_EQ(B(0, 0), 0.0);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(B.row(i).sum(), 1.0, 1e-15);
  EXPECT_NEAR(B(2, 6), 1.0 / 6, 1e-15);  // right end: last interval, not beyond it
}

TEST(SplineTransformer, ConstantExtrapolationCopiesOnlyDegreeBoundarySplines) {
  Matrix X(2, 1);
  X << 0.0, 4.0;
  oh::regress::SplineTransformer spline(5, 3);
  spline.fit(X);
  Matrix outside(2, 1);
  outside << -1.0, 9.0;
  const Matrix B = spline.transform(outside);
  // Below the range: the first three splines take their values at x = 0 (1/6, 4/6, 1/6); the
  // fourth, also non-zero at 0, stays 0 as in scikit-learn 1.2.1.
  EXPECT_NEAR(B(0, 0), 1.0 / 6, 1e-15);
  EXPECT_NEAR(B(0, 1), 4.0 / 6, 1e-15);
  EXPECT_NEAR(B(0, 2), 1.0 / 6, 1e-15);
  EXPECT_EQ(B(0, 3), 0.0);
  EXPECT_NEAR(B(1, 4), 1.0 / 6, 1e-15);
  EXPECT_NEAR(B(1, 5), 4.0 / 6, 1e-15);
  EXPECT_NEAR(B(1, 6), 1.0 / 6, 1e-15);
  EXPECT_EQ(B(1, 3), 0.0);
}

}  // namespace
