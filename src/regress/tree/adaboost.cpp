// AdaBoostRegressor (AdaBoost.R2, linear loss, learning rate 1): each round draws its tree's
// seed from the booster's RandomState, then resamples the rows with `choice(p = weights)`,
// fits a depth-3 tree on the resample, and reweights by beta^(1 - normalised error). It stops
// early on a perfect tree or an error ≥ 0.5. The prediction is the weighted median of the trees.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/numpy_random.h"
#include "regress/numerics/numpy_reductions.h"
#include "regress/tree/cart.h"
#include "regress/tree/numpy_order.h"
#include "regress/tree/splitter_random.h"
#include "regress/tree/training_data.h"
#include "regress/tree/tree_ensembles.h"

namespace oh::regress::tree {
namespace {

constexpr int kRounds = 100;
constexpr int kMaxDepth = 3;

class AdaBoost final : public Regressor {
 public:
  explicit AdaBoost(uint32_t random_state) : random_state_(random_state) {}

  void fit(const Matrix& X, const Vector& y) override {
    check_training_data(X, y, "adaboost");
    const FeatureMatrix features(X);
    const int n = features.rows();
    std::vector<double> weight(static_cast<size_t>(n), 1.0);
    const double initial_total = numerics::pairwise_sum(weight.data(), n);
    for (double& w : weight) w /= initial_total;
    std::vector<double> error(static_cast<size_t>(n)), weighted_error(static_cast<size_t>(n));
    std::vector<double> resampled_y(static_cast<size_t>(n));
    RandomState random(random_state_);
    CartBuilder builder(CartParams{SplitCriterion::kSquaredError, kMaxDepth});
    trees_.clear();
    tree_weights_.clear();
    for (int round = 0; round < kRounds; ++round) {
      for (double& w : weight) w = std::max(w, std::numeric_limits<double>::epsilon());
      const uint32_t tree_seed = draw_estimator_seed(random);
      const std::vector<int64_t> rows = random.choice(weight, static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) resampled_y[static_cast<size_t>(i)] = y[rows[static_cast<size_t>(i)]];
      RandomState tree_random(tree_seed);
      trees_.emplace_back();
      tree_weights_.push_back(0.0);
      builder.fit(features.gather_rows(rows), resampled_y.data(), nullptr, draw_splitter_seed(tree_random),
                  trees_.back());

      double error_max = 0.0;
      for (int i = 0; i < n; ++i) {
        error[static_cast<size_t>(i)] = std::abs(trees_.back().predict_row(features, i) - y[i]);
        error_max = std::max(error_max, error[static_cast<size_t>(i)]);
      }
      if (error_max != 0.0)
        for (double& e : error) e /= error_max;
      for (int i = 0; i < n; ++i)
        weighted_error[static_cast<size_t>(i)] = weight[static_cast<size_t>(i)] * error[static_cast<size_t>(i)];
      const double estimator_error = numerics::pairwise_sum(weighted_error.data(), n);
      if (estimator_error <= 0.0) {  // a perfect tree ends the boosting with weight 1
        tree_weights_.back() = 1.0;
        break;
      }
      if (estimator_error >= 0.5) {  // worse than chance: dropped unless it is the only tree
        if (trees_.size() > 1) {
          trees_.pop_back();
          tree_weights_.pop_back();
        }
        break;
      }
      const double beta = estimator_error / (1.0 - estimator_error);
      tree_weights_.back() = std::log(1.0 / beta);  // learning_rate = 1
      if (round != kRounds - 1)
        for (int i = 0; i < n; ++i)
          weight[static_cast<size_t>(i)] *= std::pow(beta, 1.0 - error[static_cast<size_t>(i)]);
      const double total = numerics::pairwise_sum(weight.data(), n);
      if (!std::isfinite(total) || total <= 0.0) break;
      if (round < kRounds - 1)
        for (double& w : weight) w /= total;
    }
    n_features_ = X.cols();
  }

  Vector predict(const Matrix& X) const override {
    check_prediction_data(X, n_features_, "adaboost");
    const FeatureMatrix features(X);
    Vector out(X.rows());
    std::vector<double> predictions(trees_.size());
    for (int i = 0; i < features.rows(); ++i) {
      for (size_t t = 0; t < trees_.size(); ++t) predictions[t] = trees_[t].predict_row(features, i);
      // Weighted median: the first prediction (in argsort order) whose cumulative tree weight
      // reaches half of the total.
      const std::vector<int> order = numpy_argsort(predictions);
      std::vector<double> cumulative(order.size());
      double running = 0.0;
      for (size_t k = 0; k < order.size(); ++k) cumulative[k] = running += tree_weights_[static_cast<size_t>(order[k])];
      const double half = 0.5 * cumulative.back();
      const auto reached = std::find_if(cumulative.begin(), cumulative.end(), [&](double c) { return c >= half; });
      const size_t median = reached == cumulative.end() ? 0 : static_cast<size_t>(reached - cumulative.begin());
      out[i] = predictions[static_cast<size_t>(order[median])];
    }
    return out;
  }

 private:
  uint32_t random_state_;
  Eigen::Index n_features_ = 0;
  std::vector<CartTree> trees_;
  std::vector<double> tree_weights_;
};

}  // namespace

std::unique_ptr<Regressor> make_adaboost(uint32_t random_state) { return std::make_unique<AdaBoost>(random_state); }

}  // namespace oh::regress::tree
