// Registry entries and behaviour that does not need scikit-learn: names and order, failures,
// seeded baselines, configurable gradient descent.
#include <gtest/gtest.h>

#include "core/numpy_random.h"
#include "regress/baselines/baselines.h"
#include "regress/linear/linear_models.h"
#include "regress/neighbors/knn_regressor.h"
#include "regress/registry.h"

namespace {

using oh::regress::Matrix;
using oh::regress::Vector;

TEST(ExactFamily, NamesInOrderAndAllMembership) {
  const char* expected[] = {"linear_regression", "ridge", "lasso", "bayesian_regression", "svm", "svm_w_s", "knn",
                            "knn_v2", "knn_v3", "knn_v4", "knn_v5_adaptable", "kernel_ridge",
                            "lr_with_polynomial_features", "spline", "average", "last", "random", "constant",
                            "hat_matrix", "gd_regression"};
  const auto& specs = oh::regress::all_regressors();
  ASSERT_GE(specs.size(), 90u);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(specs[i].name, expected[i]);
  for (int i = 1; i <= 70; ++i) {
    const auto& spec = specs[19 + i];
    EXPECT_EQ(spec.name, "knn_search_" + std::to_string(i));
    EXPECT_FALSE(spec.in_all);
  }
  EXPECT_FALSE(oh::regress::find_regressor("constant").in_all);
  EXPECT_TRUE(oh::regress::find_regressor("bayesian_regression").in_all);
  EXPECT_NE(oh::regress::find_regressor("bayesian_regression").hyperparameters.find("expensive"), std::string::npos);
  EXPECT_EQ(oh::regress::find_regressor("knn_search_1").hyperparameters.substr(0, 52),
            "KNeighborsRegressor(n_neighbors=1, weights='uniform'");
  EXPECT_NE(oh::regress::find_regressor("knn_search_70").hyperparameters.find("n_neighbors=11, weights='distance', p=2.0"),
            std::string::npos);
}

TEST(KNeighbors, MoreNeighboursThanRowsIsAMethodFailure) {
  oh::regress::KNeighborsRegressor knn(5, oh::regress::NeighborWeights::kUniform);
  EXPECT_THROW(knn.fit(Matrix::Zero(4, 2), Vector::Zero(4)), oh::regress::MethodFailure);
}

TEST(KNeighbors, ZeroDistanceTakesAllTheWeight) {
  Matrix X(3, 1);
  X << 0, 1, 3;
  Vector y(3);
  y << 10, 20, 40;
  oh::regress::KNeighborsRegressor knn(3, oh::regress::NeighborWeights::kDistance);
  knn.fit(X, y);
  Matrix q(2, 1);
  q << 1, 2;
  const Vector p = knn.predict(q);
  EXPECT_EQ(p(0), 20.0);
  EXPECT_DOUBLE_EQ(p(1), (10.0 / 2 + 20.0 / 1 + 40.0 / 1) / (0.5 + 1 + 1));
}

TEST(KNeighbors, TiesKeepTheEarlierTrainingRow) {
  Matrix X(3, 1);
  X << 1, -1, 5;  // rows 0 and 1 both at distance 1 from 0
  Vector y(3);
  y << 7, 9, 0;
  oh::regress::KNeighborsRegressor knn(1, oh::regress::NeighborWeights::kUniform);
  knn.fit(X, y);
  EXPECT_EQ(knn.predict(Matrix::Zero(1, 1))(0), 7.0);
}

TEST(Baselines, RandomIsSeededAndRepeatable) {
  Vector y(4);
  y << 1, 2, 3, 4;
  oh::regress::RandomBaseline a(7), b(7);
  a.fit(Matrix::Zero(4, 1), y);
  b.fit(Matrix::Zero(4, 1), y);
  const Vector pa = a.predict(Matrix::Zero(6, 1));
  EXPECT_EQ(pa, b.predict(Matrix::Zero(6, 1)));
  oh::PythonRandom rng(7);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(pa(i), y(static_cast<Eigen::Index>(rng.choice_index(4))));
}

TEST(GradientDescent, OneStepFromZeroMatchesTheGradient) {
  Matrix X(2, 1);
  X << 1, 3;
  Vector y(2);
  y << 2, 4;
  oh::regress::GradientDescentRegression gd(1, 0.5);
  gd.fit(X, y);
  // From w = b = 0 the residual is -y: w = 0.5·(1·2 + 3·4)/2 = 3.5, b = 0.5·6/2 = 1.5.
  Matrix q(1, 1);
  q << 2;
  EXPECT_DOUBLE_EQ(gd.predict(q)(0), 3.5 * 2 + 1.5);
  oh::regress::GradientDescentRegression none(0, 0.5);
  none.fit(X, y);
  EXPECT_EQ(none.predict(q)(0), 0.0);
}

}  // namespace
