// The pieces of the exact CART: the splitter's generator, its sort, the criterion, numpy's
// argsort, and whole trees compared node by node with scikit-learn's tree_ arrays.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/numpy_random.h"
#include "regress/tree/cart.h"
#include "regress/tree/feature_sort.h"
#include "regress/tree/numpy_order.h"
#include "regress/tree/regression_criterion.h"
#include "regress/tree/splitter_random.h"
#include "support/sklearn_reference.h"
#include "tree_reference.h"

namespace oh::regress::tree {
namespace {

using nlohmann::json;

#define SKIP_WITHOUT_SKLEARN() \
  if (!oh::testing::sklearn_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import sklearn"

TEST(SplitterRandom, MatchesTheXorshiftDefinition) {
  SKIP_WITHOUT_SKLEARN();
  const std::vector<uint32_t> seeds = {0, 1, 12345, 2147483646, 0x7FFFFFFF};
  json requests = json::array();
  for (uint32_t seed : seeds) requests.push_back({{"kind", "rand_r"}, {"seed", seed}, {"count", 50}});
  const json answers = oh::testing::tree_reference(requests);
  for (size_t s = 0; s < seeds.size(); ++s) {
    SplitterRandom random(seeds[s]);
    for (int k = 0; k < 50; ++k) ASSERT_EQ(random.next(), answers[s][k].get<uint32_t>()) << "seed " << seeds[s];
  }
}

TEST(SplitterRandom, RandIntIsLowPlusModulo) {
  SplitterRandom a(777), b(777);
  for (int k = 0; k < 100; ++k) EXPECT_EQ(a.rand_int(3, 10), 3 + static_cast<int64_t>(b.next() % 7));
}

TEST(SplitterRandom, SeedIsTheFirstRandintOfTheEstimatorState) {
  // randint(0, 2^31 - 1) is one masked 31-bit draw, redrawn only on the value 2^31 - 1.
  RandomState state(42), raw(42);
  const uint32_t seed = draw_splitter_seed(state);
  uint32_t expected;
  do expected = raw.next_uint32() & 0x7FFFFFFFu;
  while (expected > 0x7FFFFFFEu);
  EXPECT_EQ(seed, expected);
}

// Sorts (value, sample) pairs; returns the samples in sorted order, leaves values sorted.
std::vector<int> sort_samples(std::vector<float>& values) {
  std::vector<FeatureValue> items;
  for (size_t i = 0; i < values.size(); ++i) items.push_back({values[i], static_cast<int>(i)});
  sort_feature_values(items.data(), static_cast<std::ptrdiff_t>(items.size()));
  std::vector<int> samples;
  for (size_t i = 0; i < items.size(); ++i) {
    values[i] = items[i].value;
    samples.push_back(items[i].sample);
  }
  return samples;
}

TEST(FeatureSort, LeavesEqualValuesInIntrosortOrder) {
  // Traced by hand through scikit-learn's introsort: median-of-3 pivot 1, one 3-way partition.
  // A stable sort would give {2, 0, 1, 3}.
  std::vector<float> values = {1.f, 1.f, 0.f, 1.f};
  EXPECT_EQ(sort_samples(values), (std::vector<int>{2, 1, 0, 3}));
  EXPECT_EQ(values, (std::vector<float>{0.f, 1.f, 1.f, 1.f}));
}

TEST(FeatureSort, SortsAndPermutesTogetherIncludingTheHeapsortFallback) {
  RandomState random(3);
  for (int n : {1, 2, 3, 7, 25, 50, 200, 1000}) {
    for (int distinct : {2, 5, 1000}) {
      std::vector<float> values(static_cast<size_t>(n));
      for (auto& v : values) v = static_cast<float>(random.randint(0, distinct));
      // Organ-pipe input drives median-of-3 quicksort deep enough to reach heapsort.
      if (distinct == 1000)
        for (int i = 0; i < n; ++i) values[static_cast<size_t>(i)] = static_cast<float>(std::min(i, n - 1 - i));
      const std::vector<float> original = values;
      const std::vector<int> samples = sort_samples(values);
      EXPECT_TRUE(std::is_sorted(values.begin(), values.end())) << "n=" << n;
      for (int i = 0; i < n; ++i)
        EXPECT_EQ(values[static_cast<size_t>(i)], original[static_cast<size_t>(samples[static_cast<size_t>(i)])]);
      std::vector<int> sorted_samples = samples;
      std::sort(sorted_samples.begin(), sorted_samples.end());
      for (int i = 0; i < n; ++i) ASSERT_EQ(sorted_samples[static_cast<size_t>(i)], i);
    }
  }
}

TEST(RegressionCriterion, WeightedSumsImpuritiesAndBothUpdateDirections) {
  // y = {1, 2, 4} with weights {1, 2, 1}: every quantity below is exact in binary.
  const std::vector<double> y = {1, 2, 4}, w = {1, 2, 1};
  const std::vector<int> samples = {0, 1, 2};
  RegressionCriterion c;
  c.bind(SplitCriterion::kSquaredError, y.data(), w.data(), samples.data(), 4.0);
  c.init_node(0, 3);
  EXPECT_EQ(c.weighted_n_node_samples(), 4.0);
  EXPECT_EQ(c.node_value(), 9.0 / 4.0);
  EXPECT_EQ(c.node_impurity(), 25.0 / 4.0 - (9.0 / 4.0) * (9.0 / 4.0));  // 1.1875

  c.update(1);  // forward: left = {1}
  EXPECT_EQ(c.proxy_impurity_improvement(), 1.0 / 1.0 + 64.0 / 3.0);
  double left, right;
  c.children_impurity(&left, &right);
  EXPECT_EQ(left, 0.0);
  EXPECT_EQ(right, 24.0 / 3.0 - (8.0 / 3.0) * (8.0 / 3.0));
  EXPECT_EQ(c.impurity_improvement(1.1875, left, right), 4.0 / 4.0 * (1.1875 - 3.0 / 4.0 * right - 1.0 / 4.0 * left));

  c.reset();
  c.update(2);  // nearer the end: starts from the total and removes sample 2
  EXPECT_EQ(c.proxy_impurity_improvement(), 25.0 / 3.0 + 16.0 / 1.0);
  c.children_impurity(&left, &right);
  EXPECT_EQ(left, 9.0 / 3.0 - (5.0 / 3.0) * (5.0 / 3.0));
  EXPECT_EQ(right, 0.0);

  RegressionCriterion friedman;
  friedman.bind(SplitCriterion::kFriedmanMse, y.data(), w.data(), samples.data(), 4.0);
  friedman.init_node(0, 3);
  friedman.update(1);
  const double diff = 3.0 * 1.0 - 1.0 * 8.0;
  EXPECT_EQ(friedman.proxy_impurity_improvement(), diff * diff / (1.0 * 3.0));
  EXPECT_EQ(friedman.impurity_improvement(0.0, 0.0, 0.0), diff * diff / (1.0 * 3.0 * 4.0));
}

TEST(NumpyArgsort, MatchesNumpyOnTiedArrays) {
  SKIP_WITHOUT_SKLEARN();
  RandomState random(11);
  std::vector<std::vector<double>> arrays;
  for (int n : {1, 2, 5, 16, 17, 18, 33, 64, 100, 150}) {
    for (int distinct : {1, 3, 10, 1000}) {
      std::vector<double> values(static_cast<size_t>(n));
      for (auto& v : values) v = static_cast<double>(random.randint(0, distinct)) / 4.0;
      arrays.push_back(values);
    }
  }
  json requests = json::array();
  for (const auto& values : arrays) requests.push_back({{"kind", "argsort"}, {"values", values}});
  const json answers = oh::testing::tree_reference(requests);
  for (size_t a = 0; a < arrays.size(); ++a)
    EXPECT_EQ(numpy_argsort(arrays[a]), answers[a].get<std::vector<int>>()) << "array " << a;
}

struct TreeCase {
  uint32_t seed;
  int n, d, decimals;
  bool bootstrap_weights;
  SplitCriterion criterion;
  int max_depth;  // -1: None
};

// Grows one tree here and in scikit-learn, and requires every node array to be identical.
void expect_same_trees(const std::vector<TreeCase>& cases) {
  json requests = json::array();
  std::vector<oh::testing::Problem> problems;
  std::vector<std::vector<double>> weights;
  for (const auto& c : cases) {
    problems.push_back(oh::testing::random_problem(c.seed, c.n, 1, c.d, 0.0, 1.0, c.decimals));
    std::vector<double> w;
    if (c.bootstrap_weights) {  // counts of a bootstrap sample, zeros included
      RandomState bootstrap(c.seed + 1000);
      w.assign(static_cast<size_t>(c.n), 0.0);
      for (int k = 0; k < c.n; ++k) w[static_cast<size_t>(bootstrap.randint(0, c.n))] += 1.0;
    }
    weights.push_back(w);
    const auto& p = problems.back();
    requests.push_back({{"kind", "tree"},
                        {"X", oh::testing::matrix_json(p.X_train)},
                        {"y", std::vector<double>(p.y_train.data(), p.y_train.data() + c.n)},
                        {"sample_weight", c.bootstrap_weights ? json(w) : json(nullptr)},
                        {"random_state", c.seed},
                        {"max_depth", c.max_depth < 0 ? json(nullptr) : json(c.max_depth)},
                        {"criterion", c.criterion == SplitCriterion::kFriedmanMse ? "friedman_mse" : "squared_error"}});
  }
  const json answers = oh::testing::tree_reference(requests);
  for (size_t k = 0; k < cases.size(); ++k) {
    const auto& c = cases[k];
    SCOPED_TRACE("seed " + std::to_string(c.seed) + " n " + std::to_string(c.n) + " d " + std::to_string(c.d) +
                 (c.bootstrap_weights ? " weighted" : "") + " depth " + std::to_string(c.max_depth));
    CartBuilder builder(CartParams{c.criterion, c.max_depth < 0 ? INT32_MAX : c.max_depth});
    CartTree tree;
    RandomState tree_random(c.seed);
    builder.fit(FeatureMatrix(problems[k].X_train), problems[k].y_train.data(),
                c.bootstrap_weights ? weights[k].data() : nullptr, draw_splitter_seed(tree_random), tree);
    const json& ref = answers[k];
    const auto& nodes = tree.nodes();
    ASSERT_EQ(nodes.size(), ref["feature"].size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      SCOPED_TRACE("node " + std::to_string(i));
      EXPECT_EQ(nodes[i].left, ref["children_left"][i].get<int>());
      EXPECT_EQ(nodes[i].right, ref["children_right"][i].get<int>());
      EXPECT_EQ(nodes[i].feature, ref["feature"][i].get<int>());
      EXPECT_EQ(nodes[i].threshold, ref["threshold"][i].get<double>());
      EXPECT_EQ(nodes[i].n_node_samples, ref["n_node_samples"][i].get<int>());
      EXPECT_EQ(nodes[i].weighted_n_node_samples, ref["weighted_n_node_samples"][i].get<double>());
      // Bitwise: these sums see the samples in the order the sort and partition left them.
      EXPECT_EQ(nodes[i].value, ref["value"][i].get<double>());
      EXPECT_EQ(nodes[i].impurity, ref["impurity"][i].get<double>());
    }
  }
}

TEST(CartTree, SameNodesAsScikitLearn) {
  SKIP_WITHOUT_SKLEARN();
  std::vector<TreeCase> cases;
  for (uint32_t seed = 0; seed < 8; ++seed)
    for (int d : {1, 4, 10})
      for (int n : {25, 50}) {
        cases.push_back({seed, n, d, 2, false, SplitCriterion::kSquaredError, -1});
        cases.push_back({seed, n, d, 1, true, SplitCriterion::kSquaredError, -1});
        cases.push_back({seed, n, d, 2, true, SplitCriterion::kSquaredError, 3});
        cases.push_back({seed, n, d, 2, false, SplitCriterion::kFriedmanMse, 3});
      }
  expect_same_trees(cases);
}

TEST(CartTree, SingleSampleAndConstantDataAreOneLeaf) {
  CartBuilder builder(CartParams{});
  CartTree tree;
  Matrix X = Matrix::Constant(5, 3, 0.5);
  const std::vector<double> y = {1, 2, 3, 4, 5};
  builder.fit(FeatureMatrix(X), y.data(), nullptr, 1u, tree);
  ASSERT_EQ(tree.nodes().size(), 1u);  // every feature constant: no split exists
  EXPECT_EQ(tree.nodes()[0].value, 3.0);
  builder.fit(FeatureMatrix(X.topRows(1)), y.data(), nullptr, 1u, tree);
  ASSERT_EQ(tree.nodes().size(), 1u);
  EXPECT_EQ(tree.nodes()[0].value, 1.0);
}

}  // namespace
}  // namespace oh::regress::tree
