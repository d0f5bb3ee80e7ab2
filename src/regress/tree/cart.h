#pragma once
// scikit-learn 1.2's DecisionTreeRegressor (splitter="best", depth-first builder) reproduced
// operation for operation, so that a tree grown here from the same data and seed has the same
// features, thresholds and leaf values (DESIGN §4.5). Only the defaults the zoo uses are
// supported: min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0,
// max_features=all, no max_leaf_nodes, min_impurity_decrease=0, ccp_alpha=0.
#include <climits>
#include <cstdint>
#include <vector>

#include "regress/regressor.h"
#include "regress/tree/feature_sort.h"
#include "regress/tree/regression_criterion.h"
#include "regress/tree/splitter_random.h"

namespace oh::regress::tree {

/// X cast to float32 (scikit-learn's DTYPE) and stored feature-major, the way the splitter
/// reads it: all rows of feature 0, then feature 1, ...
class FeatureMatrix {
 public:
  explicit FeatureMatrix(const Matrix& X);
  /// The rows `rows` of this matrix, in that order (a resample with repetitions).
  FeatureMatrix gather_rows(const std::vector<int64_t>& rows) const;
  int rows() const { return rows_; }
  int features() const { return features_; }
  float at(int row, int feature) const { return values_[static_cast<size_t>(feature) * rows_ + row]; }

 private:
  FeatureMatrix(int rows, int features) : rows_(rows), features_(features), values_(static_cast<size_t>(rows) * features) {}
  int rows_, features_;
  std::vector<float> values_;
};

struct CartParams {
  SplitCriterion criterion = SplitCriterion::kSquaredError;
  int max_depth = INT32_MAX;  // scikit-learn's stand-in for max_depth=None
};

/// A fitted tree: nodes in scikit-learn's order (ids assigned as the depth-first builder
/// creates them), so tests can compare them with `tree_` field by field.
class CartTree {
 public:
  static constexpr int kLeaf = -1;       // _TREE_LEAF
  static constexpr int kUndefined = -2;  // _TREE_UNDEFINED: feature/threshold of a leaf
  struct Node {
    int left = kLeaf, right = kLeaf;
    int feature = kUndefined;
    double threshold = kUndefined;
    double impurity = 0.0;
    int n_node_samples = 0;
    double weighted_n_node_samples = 0.0;
    double value = 0.0;
  };

  const std::vector<Node>& nodes() const { return nodes_; }
  /// The leaf value for one row (compared as float32, like scikit-learn's `apply`).
  double predict_row(const FeatureMatrix& X, int row) const;

 private:
  friend class CartBuilder;
  std::vector<Node> nodes_;
};

/// Grows trees; keeps its work arrays between fits so an ensemble allocates once.
class CartBuilder {
 public:
  explicit CartBuilder(CartParams params) : params_(params) {}

  /// Fits on the rows whose weight is nonzero. `sample_weight` may be null (all ones).
  /// `splitter_seed` is what the tree's RandomState gives first (draw_splitter_seed).
  void fit(const FeatureMatrix& X, const double* y, const double* sample_weight, uint32_t splitter_seed,
           CartTree& tree);

 private:
  struct SplitRecord {
    int feature = 0;
    int pos = 0;
    double threshold = 0.0;
    double improvement = 0.0;
    double impurity_left = 0.0, impurity_right = 0.0;
  };
  // Finds the best split of samples_[start, end) and partitions it; returns pos == end when
  // no split exists. n_constant carries the count of features known constant in this subtree.
  SplitRecord split_node(const FeatureMatrix& X, int start, int end, double impurity, int* n_constant);

  CartParams params_;
  RegressionCriterion criterion_;
  SplitterRandom random_{0};
  std::vector<double> unit_weight_;
  std::vector<int> samples_;
  std::vector<int> features_;
  std::vector<int> constant_features_;
  std::vector<FeatureValue> feature_values_;
  struct StackRecord {
    int start, end, depth, parent;
    bool is_left;
    double impurity;
    int n_constant;
  };
  std::vector<StackRecord> stack_;
};

}  // namespace oh::regress::tree
