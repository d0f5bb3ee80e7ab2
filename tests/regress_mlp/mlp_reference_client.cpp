#include "mlp_reference_client.h"

#include <nlohmann/json.hpp>

#include "support/sklearn_reference.h"

namespace oh::testing {

std::vector<MlpReference> sklearn_mlp(const std::vector<MlpReferenceCase>& cases) {
  nlohmann::json input = nlohmann::json::array();
  for (const auto& c : cases)
    input.push_back({{"hidden", c.hidden},
                     {"random_state", c.random_state},
                     {"X_train", matrix_json(c.X_train)},
                     {"y_train", std::vector<double>(c.y_train.data(), c.y_train.data() + c.y_train.size())},
                     {"X_test", matrix_json(c.X_test)},
                     {"fit", c.fit}});
  const nlohmann::json output = run_python_reference("regress_mlp/mlp_reference.py", input.dump());

  std::vector<MlpReference> results;
  for (const auto& r : output) {
    MlpReference ref;
    ref.initial = r.at("initial").get<std::vector<double>>();
    ref.loss = r.at("loss").get<double>();
    ref.gradient = r.at("gradient").get<std::vector<double>>();
    if (r.contains("prediction")) {
      ref.prediction = r["prediction"].get<std::vector<double>>();
      ref.n_iter = r.at("n_iter").get<int>();
      ref.nfev = r.at("nfev").get<int>();
      ref.final_loss = r.at("final_loss").get<double>();
      ref.fit_seconds = r.at("fit_seconds").get<double>();
    }
    results.push_back(std::move(ref));
  }
  return results;
}

}  // namespace oh::testing
