#include "mlp_reference_client.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace oh::testing {
namespace {

nlohmann::json rows_json(const regress::Matrix& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    std::vector<double> row(m.cols());
    for (Eigen::Index j = 0; j < m.cols(); ++j) row[j] = m(i, j);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

std::vector<MlpReference> sklearn_mlp(const std::vector<MlpReferenceCase>& cases) {
  nlohmann::json input = nlohmann::json::array();
  for (const auto& c : cases)
    input.push_back({{"hidden", c.hidden},
                     {"random_state", c.random_state},
                     {"X_train", rows_json(c.X_train)},
                     {"y_train", std::vector<double>(c.y_train.data(), c.y_train.data() + c.y_train.size())},
                     {"X_test", rows_json(c.X_test)},
                     {"fit", c.fit}});
  char path[] = "/tmp/oh_mlp_reference_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  std::ofstream(path) << input.dump();
  const std::string command =
      std::string("/usr/bin/python3 ") + OH_SOURCE_DIR + "/tests/regress_mlp/mlp_reference.py < " + path;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string output;
  char buffer[65536];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  std::remove(path);
  if (status != 0) throw std::runtime_error("mlp_reference.py failed (status " + std::to_string(status) + ")");

  std::vector<MlpReference> results;
  for (const auto& r : nlohmann::json::parse(output)) {
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
