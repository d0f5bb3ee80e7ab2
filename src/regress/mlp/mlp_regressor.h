#pragma once
// MLPRegressor(hidden_layer_sizes, activation='relu', solver='lbfgs', alpha=1e-4, max_iter=200,
// max_fun=15000, tol=1e-4, random_state=rs) as scikit-learn 1.2.1 fits it (DESIGN §4.5).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regress/mlp/lbfgsb.h"
#include "regress/mlp/mlp_network.h"
#include "regress/regressor.h"

namespace oh::regress::mlp {

struct MlpOptions {
  std::vector<int> hidden_layer_sizes;
  uint32_t random_state = 0;
  double alpha = 1e-4;
  int max_iter = 200;
  int max_fun = 15000;
  double tol = 1e-4;
};

class MlpRegressor : public Regressor {
 public:
  explicit MlpRegressor(MlpOptions options);
  /// Throws MethodFailure on empty or non-finite data and when the solver ends with non-finite
  /// weights (scikit-learn raises ValueError in both cases).
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

  /// The last fit's optimiser record (iterations, evaluations, final loss, message).
  const LbfgsbResult& solver_result() const;

 private:
  MlpOptions options_;
  std::optional<MlpShape> shape_;
  LbfgsbResult solver_;
};

}  // namespace oh::regress::mlp
