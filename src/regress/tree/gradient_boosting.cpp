// GradientBoostingRegressor with squared error: start from the mean of y, fit each stage's
// friedman_mse tree to the residuals, add learning_rate × its prediction. All stage trees share
// the booster's RandomState, each taking one splitter seed from it.
#include <vector>

#include "core/numpy_random.h"
#include "regress/numerics/numpy_reductions.h"
#include "regress/tree/cart.h"
#include "regress/tree/splitter_random.h"
#include "regress/tree/training_data.h"
#include "regress/tree/tree_ensembles.h"

namespace oh::regress::tree {
namespace {

constexpr int kStages = 100;
constexpr double kLearningRate = 0.1;
constexpr int kMaxDepth = 3;

class GradientBoosting final : public Regressor {
 public:
  explicit GradientBoosting(uint32_t random_state) : random_state_(random_state) {}

  void fit(const Matrix& X, const Vector& y) override {
    check_training_data(X, y, "gradient_boosting");
    const FeatureMatrix features(X);
    const int n = features.rows();
    initial_ = numerics::mean(y);  // DummyRegressor(strategy="mean")
    std::vector<double> raw(static_cast<size_t>(n), initial_), residual(static_cast<size_t>(n));
    RandomState random(random_state_);
    CartBuilder builder(CartParams{SplitCriterion::kFriedmanMse, kMaxDepth});
    stages_.assign(kStages, CartTree());
    for (auto& tree : stages_) {
      for (int i = 0; i < n; ++i) residual[static_cast<size_t>(i)] = y[i] - raw[static_cast<size_t>(i)];
      builder.fit(features, residual.data(), nullptr, draw_splitter_seed(random), tree);
      for (int i = 0; i < n; ++i) raw[static_cast<size_t>(i)] += kLearningRate * tree.predict_row(features, i);
    }
    n_features_ = X.cols();
  }

  Vector predict(const Matrix& X) const override {
    check_prediction_data(X, n_features_, "gradient_boosting");
    const FeatureMatrix features(X);
    Vector out = Vector::Constant(X.rows(), initial_);
    for (const auto& tree : stages_)
      for (int i = 0; i < features.rows(); ++i) out[i] += kLearningRate * tree.predict_row(features, i);
    return out;
  }

 private:
  uint32_t random_state_;
  double initial_ = 0.0;
  Eigen::Index n_features_ = 0;
  std::vector<CartTree> stages_;
};

}  // namespace

std::unique_ptr<Regressor> make_gradient_boosting(uint32_t random_state) {
  return std::make_unique<GradientBoosting>(random_state);
}

}  // namespace oh::regress::tree
