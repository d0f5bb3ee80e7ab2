#include "regress/tree/cart.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

namespace oh::regress::tree {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// numpy.finfo(float64).eps: impurities at or below it count as zero, as in scikit-learn.
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
// Values closer than this (in float32) are one value for the splitter (scikit-learn's
// FEATURE_THRESHOLD, a float32 constant, so the comparison is done in float32 too).
const float kFeatureThreshold = static_cast<float>(1e-7);

}  // namespace

FeatureMatrix::FeatureMatrix(const Matrix& X)
    : rows_(static_cast<int>(X.rows())), features_(static_cast<int>(X.cols())),
      values_(static_cast<size_t>(X.size())) {
  for (int f = 0; f < features_; ++f)
    for (int r = 0; r < rows_; ++r) values_[static_cast<size_t>(f) * rows_ + r] = static_cast<float>(X(r, f));
}

FeatureMatrix FeatureMatrix::gather_rows(const std::vector<int64_t>& rows) const {
  FeatureMatrix out(static_cast<int>(rows.size()), features_);
  for (int f = 0; f < features_; ++f)
    for (int r = 0; r < out.rows_; ++r)
      out.values_[static_cast<size_t>(f) * out.rows_ + r] = at(static_cast<int>(rows[static_cast<size_t>(r)]), f);
  return out;
}

double CartTree::predict_row(const FeatureMatrix& X, int row) const {
  const Node* node = &nodes_[0];
  while (node->left != kLeaf) {
    const double x = X.at(row, node->feature);
    node = &nodes_[x <= node->threshold ? node->left : node->right];
  }
  return node->value;
}

void CartBuilder::fit(const FeatureMatrix& X, const double* y, const double* sample_weight, uint32_t splitter_seed,
                      CartTree& tree) {
  const int n_rows = X.rows(), n_features = X.features();
  random_ = SplitterRandom(splitter_seed);
  if (sample_weight == nullptr) {
    unit_weight_.assign(static_cast<size_t>(n_rows), 1.0);
    sample_weight = unit_weight_.data();
  }
  // Zero-weight rows (out of a bootstrap sample) take no part in the tree at all.
  samples_.clear();
  double total_weight = 0.0;
  for (int i = 0; i < n_rows; ++i) {
    if (sample_weight[i] != 0.0) samples_.push_back(i);
    total_weight += sample_weight[i];
  }
  assert(!samples_.empty() && "callers fit on at least one positively weighted row");
  features_.resize(static_cast<size_t>(n_features));
  for (int f = 0; f < n_features; ++f) features_[static_cast<size_t>(f)] = f;
  constant_features_.assign(static_cast<size_t>(n_features), 0);
  feature_values_.resize(static_cast<size_t>(n_rows));
  criterion_.bind(params_.criterion, y, sample_weight, samples_.data(), total_weight);

  auto& nodes = tree.nodes_;
  nodes.clear();
  stack_.clear();
  stack_.push_back({0, static_cast<int>(samples_.size()), 0, -1, false, kInfinity, 0});
  bool is_root = true;
  while (!stack_.empty()) {
    StackRecord record = stack_.back();
    stack_.pop_back();
    criterion_.init_node(record.start, record.end);
    const int n_node_samples = record.end - record.start;
    // min_samples_split = 2 and min_samples_leaf = 1: a node of one sample is a leaf.
    bool is_leaf = record.depth >= params_.max_depth || n_node_samples < 2;
    if (is_root) {
      record.impurity = criterion_.node_impurity();
      is_root = false;
    }
    is_leaf = is_leaf || record.impurity <= kEpsilon;
    SplitRecord split;
    if (!is_leaf) {
      split = split_node(X, record.start, record.end, record.impurity, &record.n_constant);
      is_leaf = split.pos >= record.end || split.improvement + kEpsilon < 0.0;
    }

    const int node_id = static_cast<int>(nodes.size());
    if (record.parent >= 0) {
      auto& parent = nodes[static_cast<size_t>(record.parent)];
      (record.is_left ? parent.left : parent.right) = node_id;
    }
    CartTree::Node node;
    if (!is_leaf) {
      node.feature = split.feature;
      node.threshold = split.threshold;
    }
    node.impurity = record.impurity;
    node.n_node_samples = n_node_samples;
    node.weighted_n_node_samples = criterion_.weighted_n_node_samples();
    node.value = criterion_.node_value();
    nodes.push_back(node);

    if (!is_leaf) {
      // Right first so that the left subtree is grown (and draws features) first.
      stack_.push_back({split.pos, record.end, record.depth + 1, node_id, false, split.impurity_right,
                        record.n_constant});
      stack_.push_back({record.start, split.pos, record.depth + 1, node_id, true, split.impurity_left,
                        record.n_constant});
    }
  }
}

CartBuilder::SplitRecord CartBuilder::split_node(const FeatureMatrix& X, int start, int end, double impurity,
                                                 int* n_constant) {
  int* samples = samples_.data();
  int* features = features_.data();
  FeatureValue* values = feature_values_.data();
  const int n_features = static_cast<int>(features_.size());
  const int max_features = n_features;

  SplitRecord best, current;
  best.pos = end;
  best.improvement = -kInfinity;
  best.impurity_left = best.impurity_right = kInfinity;
  double best_proxy_improvement = -kInfinity;

  // Fisher-Yates over `features`, which keeps its order from node to node: [0, n_drawn) drawn
  // known constants, [n_drawn, n_known) undrawn known constants, [n_known, n_total) constants
  // found here, [n_total, f_i) not drawn yet, [f_i, n_features) drawn and evaluated.
  int f_i = n_features;
  int n_visited = 0, n_found_constants = 0, n_drawn_constants = 0;
  const int n_known_constants = *n_constant;
  int n_total_constants = n_known_constants;
  while (f_i > n_total_constants &&
         (n_visited < max_features || n_visited <= n_found_constants + n_drawn_constants)) {
    ++n_visited;
    int f_j = static_cast<int>(random_.rand_int(n_drawn_constants, f_i - n_found_constants));
    if (f_j < n_known_constants) {
      std::swap(features[n_drawn_constants], features[f_j]);
      ++n_drawn_constants;
      continue;
    }
    f_j += n_found_constants;
    current.feature = features[f_j];
    for (int p = start; p < end; ++p) values[p] = {X.at(samples[p], current.feature), samples[p]};
    sort_feature_values(values + start, end - start);
    for (int p = start; p < end; ++p) samples[p] = values[p].sample;

    if (values[end - 1].value <= values[start].value + kFeatureThreshold) {
      std::swap(features[f_j], features[n_total_constants]);
      ++n_found_constants;
      ++n_total_constants;
      continue;
    }
    --f_i;
    std::swap(features[f_i], features[f_j]);

    criterion_.reset();
    int p = start;
    while (p < end) {
      while (p + 1 < end && values[p + 1].value <= values[p].value + kFeatureThreshold) ++p;
      ++p;  // now values[p] > values[p - 1] (or p == end)
      if (p >= end) continue;
      current.pos = p;
      criterion_.update(p);
      const double proxy = criterion_.proxy_impurity_improvement();
      if (proxy > best_proxy_improvement) {  // strict: the first of equal splits wins
        best_proxy_improvement = proxy;
        // Midpoint as a sum of halves (no overflow); fall back to the lower value when the
        // midpoint rounds up onto the upper one.
        current.threshold = values[p - 1].value / 2.0 + values[p].value / 2.0;
        if (current.threshold == values[p].value || std::isinf(current.threshold))
          current.threshold = values[p - 1].value;
        best = current;
      }
    }
  }

  if (best.pos < end) {
    int partition_end = end;
    for (int p = start; p < partition_end;) {
      if (X.at(samples[p], best.feature) <= best.threshold) {
        ++p;
      } else {
        --partition_end;
        std::swap(samples[p], samples[partition_end]);
      }
    }
    criterion_.reset();
    criterion_.update(best.pos);
    criterion_.children_impurity(&best.impurity_left, &best.impurity_right);
    best.improvement = criterion_.impurity_improvement(impurity, best.impurity_left, best.impurity_right);
  }

  // Siblings and children must see the known constants in their original order; the newly
  // found ones are appended for the children.
  for (int k = 0; k < n_known_constants; ++k) features[k] = constant_features_[static_cast<size_t>(k)];
  for (int k = n_known_constants; k < n_total_constants; ++k) constant_features_[static_cast<size_t>(k)] = features[k];
  *n_constant = n_total_constants;
  return best;
}

}  // namespace oh::regress::tree
