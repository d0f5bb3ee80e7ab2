// Checks of the MLP pieces that do not need scikit-learn: the packed layout, the gradient
// against finite differences, the optimiser driver's stops, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/numpy_random.h"
#include "regress/mlp/lbfgsb.h"
#include "regress/mlp/mlp_network.h"
#include "regress/mlp/mlp_regressor.h"
#include "regress/mlp/numpy_order_kernels.h"
#include "regress/mlp/one_hidden_layer_kernels.h"
#include "support/sklearn_reference.h"

namespace oh::regress::mlp {
namespace {

TEST(MlpShape, PacksAllCoefficientsThenAllIntercepts) {
  const MlpShape shape(3, {10, 20, 10});
  ASSERT_EQ(shape.layers(), 4);
  EXPECT_EQ(shape.coef_offset(0), 0u);
  EXPECT_EQ(shape.coef_offset(1), 30u);
  EXPECT_EQ(shape.coef_offset(2), 230u);
  EXPECT_EQ(shape.coef_offset(3), 430u);
  EXPECT_EQ(shape.intercept_offset(0), 440u);
  EXPECT_EQ(shape.intercept_offset(3), 480u);
  EXPECT_EQ(shape.parameter_count(), 481u);
  EXPECT_THROW(MlpShape(3, {10, 0}), InputError);
}

TEST(MlpInit, GlorotBoundsPerLayer) {
  const MlpShape shape(4, {100});
  const auto packed = glorot_uniform_init(shape, 7);
  const double first = std::sqrt(6.0 / 104), second = std::sqrt(6.0 / 101);
  for (size_t i = 0; i < 400; ++i) EXPECT_LE(std::abs(packed[i]), first);
  for (size_t i = 400; i < 500; ++i) EXPECT_LE(std::abs(packed[i]), second);
  EXPECT_EQ(glorot_uniform_init(shape, 7), packed);
  EXPECT_NE(glorot_uniform_init(shape, 8), packed);
}

// Central differences with step h have error O(h²·f''') + O(ε·f/h); with h = 1e-6 and losses of
// order 10-100 that is well below 1e-5 relative (relu kinks are avoided with probability ~1).
TEST(MlpLoss, GradientMatchesFiniteDifferences) {
  const auto p = oh::testing::random_problem(3, 12, 1, 3);
  const MlpShape shape(3, {5, 4});
  MlpLoss loss(shape, p.X_train, p.y_train, 1e-4);
  std::vector<double> x = glorot_uniform_init(shape, 3), g(x.size()), scratch(x.size());
  loss(x.data(), g.data());
  const double h = 1e-6;
  for (size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double up = loss(x.data(), scratch.data());
    x[i] = saved - h;
    const double down = loss(x.data(), scratch.data());
    x[i] = saved;
    EXPECT_NEAR(g[i], (up - down) / (2 * h), 1e-5 * std::max(1.0, std::abs(g[i]))) << "parameter " << i;
  }
}

// The fused one-hidden-layer kernels regroup only independent sums, so they must equal the
// layer-by-layer kernels bit for bit: every input width they take, hidden widths and sample
// counts on and off the 8-lane grid, at the Glorot start and at a point with many dead units.
TEST(MlpLoss, FusedOneHiddenLayerKernelsAreBitIdenticalToLayerByLayer) {
  int compared = 0;
  for (int in = 1; in <= kOneHiddenLayerMaxInputs; ++in)
    for (int hidden : {1, 7, 8, 13, 100})
      for (int rows : {1, 7, 9, 50, 150}) {
        SCOPED_TRACE("in " + std::to_string(in) + " hidden " + std::to_string(hidden) + " rows " + std::to_string(rows));
        const auto p = oh::testing::random_problem(in * 1000 + hidden * 10 + rows, rows, 1, in, -5.0, 5.0, 3);
        const MlpShape shape(in, {hidden});
        MlpLoss fused(shape, p.X_train, p.y_train, 1e-4);
        MlpLoss reference(shape, p.X_train, p.y_train, 1e-4, MlpLoss::Kernels::kLayerByLayer);
        std::vector<double> x = glorot_uniform_init(shape, rows), g(x.size()), g_ref(x.size());
        for (int point = 0; point < 2; ++point) {
          if (point == 1)  // shift the hidden intercepts down so that about half the units are dead
            for (int j = 0; j < hidden; ++j) x[shape.intercept_offset(0) + j] -= 1.0;
          ASSERT_EQ(fused(x.data(), g.data()), reference(x.data(), g_ref.data()));
          for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(g[i], g_ref[i]) << "gradient " << i;
          ++compared;
        }
      }
  EXPECT_EQ(compared, 10 * 5 * 5 * 2);
}

// The vector-tiled products must round exactly like the plain sequential sums they replace:
// every width on and off the 8-lane grid (single vectors up to several 32-column blocks), row
// counts that leave every tile remainder, and values spanning magnitudes so that any change in
// summation order shows. Zeros in A_prev check relu's mask.
TEST(NumpyOrderKernels, TiledProductsEqualSequentialSums) {
  RandomState rng(7);
  auto random_values = [&](std::size_t count) {
    std::vector<double> v(count);
    for (double& x : v) x = rng.standard_normal() * std::pow(10.0, rng.randint(-6, 7));
    return v;
  };
  for (int rows : {1, 2, 5, 7, 13})
    for (int in : {1, 3, 10, 20})
      for (int out = 1; out <= 41; ++out) {
        SCOPED_TRACE("rows " + std::to_string(rows) + " in " + std::to_string(in) + " out " + std::to_string(out));
        const int ldw = lane_padded(out), ldd = out == 1 ? 1 : lane_padded(out), ldw_t = lane_padded(in);
        std::vector<double> A = random_values(static_cast<std::size_t>(rows) * in), W = random_values(in * out),
                            bias = random_values(out), D = random_values(static_cast<std::size_t>(rows) * out);
        for (std::size_t k = 0; k < A.size(); k += 3) A[k] = 0.0;
        std::vector<double> W_padded(static_cast<std::size_t>(in) * ldw, 0.0), D_padded(rows * ldd, 0.0),
            W_T(static_cast<std::size_t>(out) * ldw_t, 0.0);
        for (int i = 0; i < in; ++i)
          for (int j = 0; j < out; ++j) W_padded[i * ldw + j] = W_T[j * ldw_t + i] = W[i * out + j];
        for (int r = 0; r < rows; ++r)
          for (int j = 0; j < out; ++j) D_padded[r * ldd + j] = D[r * out + j];

        std::vector<double> Z(static_cast<std::size_t>(rows) * out), G(static_cast<std::size_t>(in) * out),
            D_prev(static_cast<std::size_t>(rows) * in);
        dense_forward(A.data(), rows, in, out == 1 ? W.data() : W_padded.data(), out == 1 ? 1 : ldw, bias.data(), out,
                      Z.data());
        transposed_product(A.data(), D_padded.data(), ldd, rows, in, out, G.data());
        backpropagate_relu(D_padded.data(), ldd, rows, out, W_T.data(), ldw_t, in, A.data(), D_prev.data(), in);
        for (int r = 0; r < rows; ++r)
          for (int j = 0; j < out; ++j) {
            double z = 0.0;
            for (int i = 0; i < in; ++i) z += A[r * in + i] * W[i * out + j];
            ASSERT_EQ(Z[r * out + j], z + bias[j]) << "Z(" << r << ", " << j << ")";
          }
        for (int i = 0; i < in; ++i)
          for (int j = 0; j < out; ++j) {
            double g = 0.0;
            for (int r = 0; r < rows; ++r) g += A[r * in + i] * D[r * out + j];
            ASSERT_EQ(G[i * out + j], g) << "G(" << i << ", " << j << ")";
          }
        for (int r = 0; r < rows; ++r)
          for (int i = 0; i < in; ++i) {
            double p = 0.0;
            for (int j = 0; j < out; ++j) p += D[r * out + j] * W[i * out + j];
            ASSERT_EQ(D_prev[r * in + i], A[r * in + i] == 0.0 ? 0.0 : p) << "D_prev(" << r << ", " << i << ")";
          }
      }
}

TEST(NumpyOrderKernels, PairwiseSumFollowsNumpyBlocks) {
  // Below 8 values the sum is sequential; from 8 on, eight running sums (lane j takes v[j],
  // v[j+8], ...) combine pairwise. Lane 0 holds 1e16 + 1 = 1e16 (ulp 2), lane 1 holds 1 + 1 = 2,
  // which survives the final addition; a sequential sum would lose all three 1s.
  std::vector<double> v(16, 0.0);
  v[0] = 1e16;
  v[8] = v[1] = v[9] = 1.0;
  EXPECT_EQ(pairwise_sum(v.data(), 16), 1e16 + 2.0);
  const double seq[3] = {1e16, 1.0, 1.0};
  EXPECT_EQ(pairwise_sum(seq, 3), 1e16);
}

TEST(Lbfgsb, MinimisesAQuadratic) {
  // f(x) = Σ (i+1)(x_i − i)²: minimum at x_i = i.
  const Objective f = [](const double* x, double* g) {
    double value = 0;
    for (int i = 0; i < 5; ++i) {
      value += (i + 1) * (x[i] - i) * (x[i] - i);
      g[i] = 2 * (i + 1) * (x[i] - i);
    }
    return value;
  };
  const auto result = minimize_lbfgsb(f, std::vector<double>(5, 10.0), LbfgsbOptions{});
  EXPECT_TRUE(result.converged) << result.message;
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(result.x[i], i, 1e-4);
  EXPECT_GE(result.evaluations, result.iterations);
}

TEST(Lbfgsb, StopsAtTheIterationLimitLikeScipy) {
  const Objective rosenbrock = [](const double* x, double* g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  LbfgsbOptions options;
  options.max_iterations = 3;
  const auto result = minimize_lbfgsb(rosenbrock, {-1.2, 1.0}, options);
  EXPECT_EQ(result.iterations, 3);
  EXPECT_FALSE(result.converged);
  EXPECT_EQ(result.message, "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT");
  EXPECT_THROW(minimize_lbfgsb(rosenbrock, {}, options), std::invalid_argument);
}

TEST(MlpRegressor, RejectsBadData) {
  MlpRegressor model(MlpOptions{{10}, 0});
  Matrix X = Matrix::Ones(4, 2);
  Vector y = Vector::Ones(4);
  EXPECT_THROW(model.predict(X), std::logic_error);
  X(1, 1) = std::nan("");
  EXPECT_THROW(model.fit(X, y), MethodFailure);
  EXPECT_THROW(model.fit(Matrix(0, 2), Vector(0)), MethodFailure);
  EXPECT_THROW(model.fit(Matrix::Ones(4, 2), Vector::Ones(3)), InputError);
  model.fit(Matrix::Ones(4, 2), y);
  EXPECT_THROW(model.predict(Matrix::Ones(2, 3)), InputError);
  EXPECT_EQ(model.predict(Matrix::Ones(2, 2)).size(), 2);
}

}  // namespace
}  // namespace oh::regress::mlp
