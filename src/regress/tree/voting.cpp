// VotingRegressor([LinearRegression(), RandomForestRegressor(random_state), SVR()]): the plain
// mean of the three predictions, summed in member order and divided by 3 (np.average).
#include <array>
#include <memory>

#include "regress/registry.h"
#include "regress/tree/training_data.h"
#include "regress/tree/tree_ensembles.h"

namespace oh::regress::tree {
namespace {

// scikit-learn's RandomForestRegressor defaults: 100 fully grown trees.
constexpr int kForestTrees = 100;
constexpr int kFullDepth = -1;

class Voting final : public Regressor {
 public:
  explicit Voting(const RegressorOptions& options) : options_(options) {}

  void fit(const Matrix& X, const Vector& y) override {
    check_training_data(X, y, "voting");
    // Resolved here, not at construction: the members live in other families of the registry.
    members_ = {find_regressor("linear_regression").make(options_),
                make_random_forest(options_.random_state, kForestTrees, kFullDepth),
                find_regressor("svm").make(options_)};
    for (auto& member : members_) member->fit(X, y);
    n_features_ = X.cols();
  }

  Vector predict(const Matrix& X) const override {
    check_prediction_data(X, n_features_, "voting");
    Vector sum = Vector::Zero(X.rows());
    for (const auto& member : members_) sum += member->predict(X);
    for (auto& value : sum) value /= static_cast<double>(members_.size());
    return sum;
  }

 private:
  RegressorOptions options_;
  std::array<std::unique_ptr<Regressor>, 3> members_;
  Eigen::Index n_features_ = 0;
};

}  // namespace

std::unique_ptr<Regressor> make_voting(const RegressorOptions& options) { return std::make_unique<Voting>(options); }

}  // namespace oh::regress::tree
