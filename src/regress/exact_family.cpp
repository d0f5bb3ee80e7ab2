#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/numeric_format.h"
#include "regress/baselines/baselines.h"
#include "regress/families.h"
#include "regress/kernel/kernel_ridge.h"
#include "regress/linear/bayesian_ridge.h"
#include "regress/linear/lasso.h"
#include "regress/linear/linear_models.h"
#include "regress/neighbors/knn_regressor.h"
#include "regress/pipeline/pipeline.h"
#include "regress/preprocess/polynomial_features.h"
#include "regress/preprocess/spline_transformer.h"
#include "regress/preprocess/standard_scaler.h"
#include "regress/svm/svr.h"

namespace oh::regress {
namespace {

using Factory = std::function<std::unique_ptr<Regressor>(const RegressorOptions&)>;

RegressorSpec exact(std::string name, std::string library, std::string hyperparameters, Factory make,
                    bool in_all = true, Agreement agreement = Agreement::kExact) {
  return {std::move(name), std::move(library), agreement, std::move(hyperparameters), in_all, std::move(make)};
}

/// A spec whose predictions also depend on options beyond random_state (see option_values).
RegressorSpec reading_options(RegressorSpec spec, std::function<std::string(const RegressorOptions&)> values) {
  spec.option_values = std::move(values);
  return spec;
}

/// Exact text of a double for keys ("%a": every bit, no rounding).
std::string exact_text(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%a", value);
  return text;
}

template <typename... Steps>
std::unique_ptr<Regressor> pipeline(std::unique_ptr<Regressor> estimator, std::unique_ptr<Steps>... steps) {
  std::vector<std::unique_ptr<Transformer>> list;
  (list.push_back(std::move(steps)), ...);
  return std::make_unique<Pipeline>(std::move(list), std::move(estimator));
}

Factory knn(int k, NeighborWeights weights, double p = 2.0) {
  return [=](const RegressorOptions&) { return std::make_unique<KNeighborsRegressor>(k, weights, p); };
}

const char* weights_name(NeighborWeights w) { return w == NeighborWeights::kUniform ? "uniform" : "distance"; }

/// knn_search_1..70: k outer, then weights, then p (the reference script's KNN_SEARCH order).
void add_knn_search(std::vector<RegressorSpec>& specs) {
  const int ks[] = {1, 2, 3, 5, 7, 9, 11};
  const NeighborWeights weights[] = {NeighborWeights::kUniform, NeighborWeights::kDistance};
  const double ps[] = {0.25, 0.5, 1.0, 1.5, 2.0};
  int index = 0;
  for (int k : ks)
    for (NeighborWeights w : weights)
      for (double p : ps) {
        const std::string hyper = "KNeighborsRegressor(n_neighbors=" + std::to_string(k) + ", weights='" +
                                  weights_name(w) + "', p=" + py_repr(p) + ")" +
                                  (p < 1 ? " brute-force Minkowski (scikit-learn rejects p < 1)" : "");
        specs.push_back(exact("knn_search_" + std::to_string(++index), "Eigen", hyper, knn(k, w, p), false,
                              p < 1 ? Agreement::kBruteForce : Agreement::kExact));
      }
}

}  // namespace

std::vector<RegressorSpec> exact_family() {
  using W = NeighborWeights;
  std::vector<RegressorSpec> specs = {
      exact("linear_regression", "Eigen", "LinearRegression() minimum-norm lstsq",
            [](const RegressorOptions&) { return std::make_unique<LinearRegression>(); }),
      exact("ridge", "Eigen", "Ridge(alpha=1.0, solver='cholesky')",
            [](const RegressorOptions&) { return std::make_unique<Ridge>(1.0); }),
      exact("lasso", "Eigen", "Lasso(alpha=1.0, max_iter=1000, tol=1e-4) cyclic coordinate descent",
            [](const RegressorOptions&) { return std::make_unique<Lasso>(); }),
      exact("bayesian_regression", "Eigen",
            "PolynomialFeatures(degree=10, include_bias=False) + StandardScaler() + BayesianRidge(n_iter=300, "
            "tol=1e-3); expensive: 184755 columns on 10 features",
            [](const RegressorOptions&) {
              return pipeline(std::make_unique<BayesianRidge>(), std::make_unique<PolynomialFeatures>(10, false),
                              std::make_unique<StandardScaler>());
            }),
      exact("svm", "libsvm", "SVR(kernel='rbf', C=1.0, epsilon=0.1, gamma='scale', tol=1e-3)",
            [](const RegressorOptions&) { return std::make_unique<SupportVectorRegression>(); }),
      exact("svm_w_s", "libsvm", "StandardScaler() + SVR(kernel='rbf', C=1.0, epsilon=0.1, gamma='scale', tol=1e-3)",
            [](const RegressorOptions&) {
              return pipeline(std::make_unique<SupportVectorRegression>(), std::make_unique<StandardScaler>());
            }),
      exact("knn", "Eigen", "KNeighborsRegressor(n_neighbors=5, weights='uniform')", knn(5, W::kUniform)),
      exact("knn_v2", "Eigen", "KNeighborsRegressor(n_neighbors=5, weights='distance')", knn(5, W::kDistance)),
      exact("knn_v3", "Eigen", "KNeighborsRegressor(n_neighbors=3, weights='distance')", knn(3, W::kDistance)),
      exact("knn_v4", "Eigen", "KNeighborsRegressor(n_neighbors=1, weights='distance')", knn(1, W::kDistance)),
      exact("knn_v5_adaptable", "Eigen",
            "KNeighborsRegressor(n_neighbors=1 if n<3 else 3 if n<7 else 5, weights='distance')",
            knn(0, W::kDistance)),
      exact("kernel_ridge", "Eigen", "KernelRidge(alpha=1.0, kernel='linear')",
            [](const RegressorOptions&) { return std::make_unique<KernelRidge>(1.0); }),
      exact("lr_with_polynomial_features", "Eigen", "PolynomialFeatures(degree=2) + LinearRegression()",
            [](const RegressorOptions&) {
              return pipeline(std::make_unique<LinearRegression>(), std::make_unique<PolynomialFeatures>(2, true));
            }),
      exact("spline", "Eigen",
            "SplineTransformer(n_knots=5, degree=3, knots='uniform', extrapolation='constant') + LinearRegression()",
            [](const RegressorOptions&) {
              return pipeline(std::make_unique<LinearRegression>(), std::make_unique<SplineTransformer>(5, 3));
            }),
      exact("average", "Eigen", "mean(y_train)",
            [](const RegressorOptions&) { return std::make_unique<AverageBaseline>(); }),
      exact("last", "Eigen", "y_train[-1]", [](const RegressorOptions&) { return std::make_unique<LastBaseline>(); }),
      exact("random", "Eigen", "random.Random(random_state).choice(y_train) per test row",
            [](const RegressorOptions& o) { return std::make_unique<RandomBaseline>(o.random_state); }),
      reading_options(exact("constant", "Eigen", "constant (--constant)",
                            [](const RegressorOptions& o) { return std::make_unique<ConstantBaseline>(o.constant); },
                            false),
                      [](const RegressorOptions& o) { return "constant=" + exact_text(o.constant); }),
      exact("hat_matrix", "Eigen", "least squares with intercept via H = A pinv(AᵀA) Aᵀ (rcond=1e-15)",
            [](const RegressorOptions&) { return std::make_unique<HatMatrixRegression>(); }),
      reading_options(
          exact("gd_regression", "Eigen",
                "full-batch GD on 0.5*MSE with intercept from 0 (steps, lr: --gd-steps, --gd-lr; default 2, 0.01)",
                [](const RegressorOptions& o) {
                  return std::make_unique<GradientDescentRegression>(o.gd_steps, o.gd_lr);
                }),
          [](const RegressorOptions& o) {
            return "steps=" + std::to_string(o.gd_steps) + " lr=" + exact_text(o.gd_lr);
          }),
  };
  add_knn_search(specs);
  return specs;
}

}  // namespace oh::regress
