// MLPRegressor(lbfgs) against live scikit-learn 1.2.1 (DESIGN §4.5): per seed the Glorot start
// bit-exact and the first loss and gradient within 1e-12; over seeds, how many predictions match
// to 1e-6 and the median ratio of held-out squared errors (ours / scikit-learn).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mlp_problems.h"
#include "mlp_reference_client.h"
#include "regress/mlp/mlp_network.h"
#include "regress/mlp/mlp_regressor.h"

namespace oh::testing {
namespace {

using regress::mlp::MlpLoss;
using regress::mlp::MlpOptions;
using regress::mlp::MlpRegressor;
using regress::mlp::MlpShape;

// DESIGN §4.5's tolerances, relative to max(1, |reference|) like the exact set's.
constexpr double kStartTolerance = 1e-12;
constexpr double kPredictionTolerance = 1e-6;

double scaled_difference(double ours, double reference) {
  return std::abs(ours - reference) / std::max(1.0, std::abs(reference));
}

#define SKIP_WITHOUT_SKLEARN() \
  if (!sklearn_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import sklearn"

// One seed's outcome for one architecture.
struct SeedOutcome {
  bool matches = false;        // every prediction within kPredictionTolerance
  double max_difference = 0;   // largest scaled prediction difference
  double error_ratio = 0;      // held-out squared error, ours / scikit-learn
  bool same_iterations = false;
  double our_seconds = 0, sklearn_seconds = 0;
};

double squared_error(const std::vector<double>& prediction, const regress::Vector& truth) {
  double sum = 0;
  for (Eigen::Index i = 0; i < truth.size(); ++i) sum += (prediction[i] - truth[i]) * (prediction[i] - truth[i]);
  return sum;
}

std::vector<SeedOutcome> fit_seeds(const MlpArchitecture& arch, uint32_t first_seed, int seeds) {
  std::vector<MlpReferenceCase> cases;
  std::vector<MlpProblem> problems;
  for (int s = 0; s < seeds; ++s) {
    const uint32_t seed = first_seed + s;
    problems.push_back(mlp_problem(seed));
    cases.push_back({arch.hidden, seed, problems.back().X_train, problems.back().y_train, problems.back().X_test, true});
  }
  const auto references = sklearn_mlp(cases);
  std::vector<SeedOutcome> outcomes;
  for (int s = 0; s < seeds; ++s) {
    const MlpProblem& p = problems[s];
    MlpOptions options;
    options.hidden_layer_sizes = arch.hidden;
    options.random_state = first_seed + s;
    MlpRegressor model(options);
    const auto start = std::chrono::steady_clock::now();
    model.fit(p.X_train, p.y_train);
    const regress::Vector predicted = model.predict(p.X_test);
    SeedOutcome o;
    o.our_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.sklearn_seconds = references[s].fit_seconds;
    const std::vector<double>& ref = references[s].prediction;
    EXPECT_EQ(ref.size(), static_cast<size_t>(predicted.size()));
    for (size_t i = 0; i < ref.size(); ++i) o.max_difference = std::max(o.max_difference, scaled_difference(predicted[i], ref[i]));
    o.matches = o.max_difference <= kPredictionTolerance;
    o.error_ratio = squared_error(std::vector<double>(predicted.data(), predicted.data() + predicted.size()), p.y_test) /
                    squared_error(ref, p.y_test);
    o.same_iterations = model.solver_result().iterations == references[s].n_iter &&
                        model.solver_result().evaluations == references[s].nfev;
    outcomes.push_back(o);
  }
  return outcomes;
}

struct Summary {
  double match_fraction = 0, median_ratio = 0, max_difference = 0, same_iterations = 0;
  double our_seconds = 0, sklearn_seconds = 0;
};

Summary summarise(const std::vector<SeedOutcome>& outcomes) {
  Summary s;
  std::vector<double> ratios;
  for (const auto& o : outcomes) {
    s.match_fraction += o.matches;
    s.same_iterations += o.same_iterations;
    s.max_difference = std::max(s.max_difference, o.max_difference);
    s.our_seconds += o.our_seconds;
    s.sklearn_seconds += o.sklearn_seconds;
    ratios.push_back(o.error_ratio);
  }
  s.match_fraction /= outcomes.size();
  s.same_iterations /= outcomes.size();
  std::sort(ratios.begin(), ratios.end());
  const size_t n = ratios.size();
  s.median_ratio = n % 2 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
  return s;
}

void print_summary(const std::string& name, int seeds, const Summary& s) {
  std::printf("%-10s seeds=%3d match(1e-6)=%.2f same(nit,nfev)=%.2f max|d|=%.3g median_ratio=%.6f "
              "fit: ours %.3fs sklearn %.3fs (x%.1f)\n",
              name.c_str(), seeds, s.match_fraction, s.same_iterations, s.max_difference, s.median_ratio,
              s.our_seconds, s.sklearn_seconds, s.sklearn_seconds / s.our_seconds);
}

// Per seed: the start vector bit for bit, then loss and gradient at it within 1e-12. Seed 10
// uses 150 rows so numpy's pairwise summation takes its recursive branch (> 128 values).
TEST(MlpConformance, StartLossAndGradientMatchScikitLearn) {
  SKIP_WITHOUT_SKLEARN();
  for (const auto& arch : mlp_architectures()) {
    std::vector<MlpReferenceCase> cases;
    std::vector<MlpProblem> problems;
    for (uint32_t seed = 0; seed <= 10; ++seed) {
      MlpProblem p = mlp_problem(seed);
      if (seed == 10) {
        const Problem big = random_problem(seed, 150, 1, 2);
        p.X_train = big.X_train;
        p.y_train = big.y_train;
      }
      problems.push_back(p);
      cases.push_back({arch.hidden, seed, p.X_train, p.y_train, p.X_test, false});
    }
    const auto references = sklearn_mlp(cases);
    int bit_identical = 0, values = 0;
    for (uint32_t seed = 0; seed <= 10; ++seed) {
      SCOPED_TRACE(arch.name + " seed " + std::to_string(seed));
      const MlpProblem& p = problems[seed];
      const MlpReference& ref = references[seed];
      const MlpShape shape(static_cast<int>(p.X_train.cols()), arch.hidden);
      const std::vector<double> start = regress::mlp::glorot_uniform_init(shape, seed);
      ASSERT_EQ(start.size(), ref.initial.size());
      for (size_t i = 0; i < start.size(); ++i) ASSERT_EQ(start[i], ref.initial[i]) << "parameter " << i;

      MlpLoss loss(shape, p.X_train, p.y_train, 1e-4);
      std::vector<double> gradient(start.size());
      const double value = loss(start.data(), gradient.data());
      EXPECT_LE(scaled_difference(value, ref.loss), kStartTolerance) << value << " vs " << ref.loss;
      bit_identical += value == ref.loss;
      for (size_t i = 0; i < gradient.size(); ++i) {
        EXPECT_LE(scaled_difference(gradient[i], ref.gradient[i]), kStartTolerance) << "gradient " << i;
        bit_identical += gradient[i] == ref.gradient[i];
      }
      values += 1 + static_cast<int>(gradient.size());
    }
    std::printf("%-10s start bit-exact on 11 seeds; loss+gradient bit-identical: %d of %d values\n",
                arch.name.c_str(), bit_identical, values);
  }
}

// Ten seeds per architecture: the match fraction is reported, and asserted to be at least 0.8.
// The loss and gradient round exactly as numpy's and the optimiser is the same library scipy
// calls, so on Debian's reference BLAS the trajectories coincide; a drop below 0.8 means the
// arithmetic order or the driver loop has drifted from scikit-learn's. (With another BLAS
// under numpy the sums would be ordered differently and this check would flag it.)
TEST(MlpConformance, PredictionsMatchOnTenSeeds) {
  SKIP_WITHOUT_SKLEARN();
  for (const auto& arch : mlp_architectures()) {
    const auto outcomes = fit_seeds(arch, 0, 10);
    const Summary s = summarise(outcomes);
    print_summary(arch.name, 10, s);
    EXPECT_GE(s.match_fraction, 0.8) << arch.name;
  }
}

// DESIGN §4.5's statistical criterion on a set large enough for a median to mean something:
// 30 seeds each of the two cheaper one-hidden-layer models.
TEST(MlpConformance, MedianErrorRatioWithinBoundsOnThirtySeeds) {
  SKIP_WITHOUT_SKLEARN();
  for (const auto& arch : mlp_architectures()) {
    if (arch.name != "mlp_uat_1" && arch.name != "mlp_uat_2") continue;
    const Summary s = summarise(fit_seeds(arch, 100, 30));
    print_summary(arch.name, 30, s);
    EXPECT_GE(s.median_ratio, 0.5) << arch.name;
    EXPECT_LE(s.median_ratio, 2.0) << arch.name;
  }
}

// The acceptance sweep (not in CI): OH_MLP_SWEEP_SEEDS seeds (default 100) of every architecture.
//   build/tests/regress_mlp/test_regress_mlp --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_Sweep*'
TEST(MlpConformance, DISABLED_SweepAllArchitectures) {
  SKIP_WITHOUT_SKLEARN();
  const char* env = std::getenv("OH_MLP_SWEEP_SEEDS");
  const int seeds = env ? std::atoi(env) : 100;
  ASSERT_GT(seeds, 0);
  for (const auto& arch : mlp_architectures()) {
    const Summary s = summarise(fit_seeds(arch, 0, seeds));
    print_summary(arch.name, seeds, s);
    EXPECT_GE(s.median_ratio, 0.5) << arch.name;
    EXPECT_LE(s.median_ratio, 2.0) << arch.name;
  }
}

}  // namespace
}  // namespace oh::testing
