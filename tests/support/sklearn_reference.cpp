#include "support/sklearn_reference.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/numeric_format.h"
#include "core/numpy_random.h"

#ifndef OH_SOURCE_DIR
#error "OH_SOURCE_DIR must point at the repository root"
#endif

namespace oh::testing {
namespace {

std::string run_capture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string output;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error("reference script failed (" + std::to_string(status) + "): " + command);
  return output;
}

}  // namespace

nlohmann::json matrix_json(const regress::Matrix& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(row);
  }
  return rows;
}

bool sklearn_available() {
  return std::system("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1") == 0;
}

nlohmann::json run_python_reference(const std::string& script, const std::string& input) {
  char path[] = "/tmp/oh_reference_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  std::ofstream(path) << input;
  const std::string output =
      run_capture(std::string("/usr/bin/python3 ") + OH_SOURCE_DIR + "/tests/" +
                  (script.find('/') == std::string::npos ? "reference/" : "") + script + " < " + path);
  std::remove(path);
  return nlohmann::json::parse(output);
}

std::vector<ReferenceResult> sklearn_predict(const std::vector<ReferenceCase>& cases, const std::string& script) {
  nlohmann::json input = nlohmann::json::array();
  for (const auto& c : cases) {
    nlohmann::json item{{"method", c.method},
                        {"random_state", c.random_state},
                        {"X_train", matrix_json(c.X_train)},
                        {"y_train", std::vector<double>(c.y_train.data(), c.y_train.data() + c.y_train.size())},
                        {"X_test", matrix_json(c.X_test)}};
    if (c.constant) item["constant"] = *c.constant;
    input.push_back(item);
  }
  const auto parsed = run_python_reference(script, input.dump());
  std::vector<ReferenceResult> results;
  for (const auto& r : parsed) {
    ReferenceResult result;
    if (r.contains("error")) result.error = r["error"].get<std::string>();
    else result.prediction = r["prediction"].get<std::vector<double>>();
    results.push_back(std::move(result));
  }
  return results;
}

Problem random_problem(uint32_t seed, int n_train, int n_test, int d, double low, double high, int decimals) {
  RandomState rng(seed);
  auto draw = [&](int rows) {
    regress::Matrix X(rows, d);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < d; ++j) X(i, j) = np_round(rng.uniform(low, high), decimals);
    return X;
  };
  Problem p;
  p.X_train = draw(n_train);
  p.X_test = draw(n_test);
  p.y_train.resize(n_train);
  for (int i = 0; i < n_train; ++i) {
    double y = 0.0;
    for (int j = 0; j < d; ++j) y += std::sin(3.0 * p.X_train(i, j) + j) * (j + 1);
    p.y_train(i) = np_round(10.0 * y + rng.standard_normal(), decimals);
  }
  return p;
}

}  // namespace oh::testing
