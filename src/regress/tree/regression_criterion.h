#pragma once
// scikit-learn's regression criteria (sklearn/tree/_criterion: MSE and FriedmanMSE) for one
// output, with their exact floating-point operation order: running sums updated from whichever
// end of the node is closer, children impurities from a fresh left sum of squares, and the
// proxy improvement that ranks candidate splits. Every sample carries a weight (1.0 when the
// caller has none: multiplying by 1.0 is exact, so the sums match the unweighted code path).
#include <cassert>

namespace oh::regress::tree {

enum class SplitCriterion { kSquaredError, kFriedmanMse };

class RegressionCriterion {
 public:
  /// Binds the targets, weights and the splitter's sample order; total_weight is the weight
  /// of every positively weighted sample (the tree's weighted_n_samples).
  void bind(SplitCriterion kind, const double* y, const double* weight, const int* samples, double total_weight) {
    kind_ = kind;
    y_ = y;
    weight_ = weight;
    samples_ = samples;
    total_weight_ = total_weight;
  }

  /// Statistics of the node samples[start, end), left at position start.
  void init_node(int start, int end) {
    start_ = start;
    end_ = end;
    sum_total_ = 0.0;
    sq_sum_total_ = 0.0;
    weight_node_ = 0.0;
    for (int p = start; p < end; ++p) {
      const int i = samples_[p];
      const double w = weight_[i];
      const double w_y = w * y_[i];
      sum_total_ += w_y;
      sq_sum_total_ += w_y * y_[i];
      weight_node_ += w;
    }
    reset();
  }

  void reset() {
    pos_ = start_;
    sum_left_ = 0.0;
    weight_left_ = 0.0;
    sum_right_ = sum_total_;
    weight_right_ = weight_node_;
  }

  /// Moves the split position to new_pos (> current), accumulating from the nearer end.
  void update(int new_pos) {
    assert(new_pos >= pos_ && new_pos <= end_);
    if (new_pos - pos_ <= end_ - new_pos) {
      for (int p = pos_; p < new_pos; ++p) {
        const int i = samples_[p];
        sum_left_ += weight_[i] * y_[i];
        weight_left_ += weight_[i];
      }
    } else {
      sum_left_ = sum_total_;  // reverse reset: everything on the left, then peel off the tail
      weight_left_ = weight_node_;
      for (int p = end_ - 1; p >= new_pos; --p) {
        const int i = samples_[p];
        sum_left_ -= weight_[i] * y_[i];
        weight_left_ -= weight_[i];
      }
    }
    weight_right_ = weight_node_ - weight_left_;
    sum_right_ = sum_total_ - sum_left_;
    pos_ = new_pos;
  }

  double node_impurity() const {
    const double mean = sum_total_ / weight_node_;
    return sq_sum_total_ / weight_node_ - mean * mean;
  }

  /// A quantity that orders splits like the impurity improvement but is cheaper to compute.
  double proxy_impurity_improvement() const {
    if (kind_ == SplitCriterion::kFriedmanMse) {
      const double diff = weight_right_ * sum_left_ - weight_left_ * sum_right_;
      return diff * diff / (weight_left_ * weight_right_);
    }
    return sum_left_ * sum_left_ / weight_left_ + sum_right_ * sum_right_ / weight_right_;
  }

  void children_impurity(double* impurity_left, double* impurity_right) const {
    double sq_sum_left = 0.0;
    for (int p = start_; p < pos_; ++p) {
      const int i = samples_[p];
      sq_sum_left += weight_[i] * y_[i] * y_[i];
    }
    const double sq_sum_right = sq_sum_total_ - sq_sum_left;
    const double mean_left = sum_left_ / weight_left_, mean_right = sum_right_ / weight_right_;
    *impurity_left = sq_sum_left / weight_left_ - mean_left * mean_left;
    *impurity_right = sq_sum_right / weight_right_ - mean_right * mean_right;
  }

  double impurity_improvement(double impurity_parent, double impurity_left, double impurity_right) const {
    if (kind_ == SplitCriterion::kFriedmanMse) {
      const double diff = weight_right_ * sum_left_ - weight_left_ * sum_right_;
      return diff * diff / (weight_left_ * weight_right_ * weight_node_);
    }
    return weight_node_ / total_weight_ *
           (impurity_parent - weight_right_ / weight_node_ * impurity_right -
            weight_left_ / weight_node_ * impurity_left);
  }

  double node_value() const { return sum_total_ / weight_node_; }
  double weighted_n_node_samples() const { return weight_node_; }

 private:
  SplitCriterion kind_ = SplitCriterion::kSquaredError;
  const double* y_ = nullptr;
  const double* weight_ = nullptr;
  const int* samples_ = nullptr;
  double total_weight_ = 0.0;
  int start_ = 0, end_ = 0, pos_ = 0;
  double sum_total_ = 0.0, sq_sum_total_ = 0.0, weight_node_ = 0.0;
  double sum_left_ = 0.0, sum_right_ = 0.0, weight_left_ = 0.0, weight_right_ = 0.0;
};

}  // namespace oh::regress::tree
