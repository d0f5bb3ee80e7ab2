#pragma once
// scikit-learn's tree ensembles on the exact CART (cart.h), each drawing its seeds, bootstrap
// samples and resamples from numpy's RandomState as scikit-learn 1.2.1 does (DESIGN §4.5).
#include <cstdint>
#include <memory>

#include "regress/regressor.h"

namespace oh::regress::tree {

/// RandomForestRegressor(n_estimators=n_trees, max_depth, random_state): bootstrap counts as
/// sample weights, all features at every split. max_depth < 0 means None.
std::unique_ptr<Regressor> make_random_forest(uint32_t random_state, int n_trees, int max_depth);

/// BaggingRegressor(random_state): 10 fully grown trees on bootstrap counts.
std::unique_ptr<Regressor> make_bagging(uint32_t random_state);

/// GradientBoostingRegressor(random_state): squared error, 100 stages, learning rate 0.1,
/// depth-3 friedman_mse trees, initial prediction the mean of y.
std::unique_ptr<Regressor> make_gradient_boosting(uint32_t random_state);

/// AdaBoostRegressor(n_estimators=100, random_state): AdaBoost.R2 with linear loss, depth-3
/// trees on weighted resamples, the weighted median of the trees as prediction.
std::unique_ptr<Regressor> make_adaboost(uint32_t random_state);

/// VotingRegressor([LinearRegression(), RandomForestRegressor(random_state), SVR()]): the mean
/// of the three. The linear and SVR members come from the registry at fit time.
std::unique_ptr<Regressor> make_voting(const RegressorOptions& options);

}  // namespace oh::regress::tree
