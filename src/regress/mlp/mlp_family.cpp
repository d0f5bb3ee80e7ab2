#include <memory>
#include <string>
#include <vector>

#include "regress/families.h"
#include "regress/mlp/mlp_regressor.h"

namespace oh::regress {

std::vector<RegressorSpec> mlp_family() {
  struct Entry {
    const char* name;
    std::vector<int> hidden;
    const char* sizes;  // as scikit-learn prints the tuple
  };
  const Entry entries[] = {
      {"mlp_uat_1", {10}, "(10,)"},
      {"mlp_uat_2", {100}, "(100,)"},
      {"mlp_uat_3", {1000}, "(1000,)"},
      {"mlp_deep1", {10, 10}, "(10, 10)"},
      {"mlp_deep2", {10, 20, 10}, "(10, 20, 10)"},
      {"mlp_deep3", {10, 20, 30, 20, 10}, "(10, 20, 30, 20, 10)"},
  };
  std::vector<RegressorSpec> specs;
  for (const Entry& e : entries) {
    std::vector<int> hidden = e.hidden;
    specs.push_back({e.name, "L-BFGS-B + Eigen", Agreement::kMlp,
                     std::string("MLPRegressor(hidden_layer_sizes=") + e.sizes +
                         ", activation='relu', solver='lbfgs', random_state=rs)",
                     true, [hidden](const RegressorOptions& options) -> std::unique_ptr<Regressor> {
                       mlp::MlpOptions mlp_options;
                       mlp_options.hidden_layer_sizes = hidden;
                       mlp_options.random_state = options.random_state;
                       return std::make_unique<mlp::MlpRegressor>(mlp_options);
                     }});
  }
  return specs;
}

}  // namespace oh::regress
