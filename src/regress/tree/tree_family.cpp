#include "regress/families.h"
#include "regress/tree/tree_ensembles.h"

namespace oh::regress {

std::vector<RegressorSpec> tree_family() {
  constexpr const char* kLibrary = "CART (ours, scikit-learn 1.2 exact)";
  return {
      {"random_forest", kLibrary, Agreement::kTrees, "RandomForestRegressor(max_depth=3, random_state=rs)", true,
       [](const RegressorOptions& o) { return tree::make_random_forest(o.random_state, 100, 3); }},
      {"bagging", kLibrary, Agreement::kTrees, "BaggingRegressor(random_state=rs)", true,
       [](const RegressorOptions& o) { return tree::make_bagging(o.random_state); }},
      {"gradient_boosting", kLibrary, Agreement::kTrees, "GradientBoostingRegressor(random_state=rs)", true,
       [](const RegressorOptions& o) { return tree::make_gradient_boosting(o.random_state); }},
      {"adaboost", kLibrary, Agreement::kTrees, "AdaBoostRegressor(n_estimators=100, random_state=rs)", true,
       [](const RegressorOptions& o) { return tree::make_adaboost(o.random_state); }},
      {"voting", "CART (ours) + Eigen + libsvm", Agreement::kTrees,
       "VotingRegressor([LinearRegression(), RandomForestRegressor(random_state=rs), SVR()])", true,
       [](const RegressorOptions& o) { return tree::make_voting(o); }},
  };
}

}  // namespace oh::regress
