#include "tree_reference.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace oh::testing {

nlohmann::json tree_reference(const nlohmann::json& requests) {
  char path[] = "/tmp/oh_tree_reference_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  std::ofstream(path) << requests.dump();
  const std::string command =
      std::string("/usr/bin/python3 ") + OH_SOURCE_DIR + "/tests/regress_trees/tree_reference.py < " + path;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string output;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  std::remove(path);
  if (status != 0) throw std::runtime_error("tree_reference.py failed (" + std::to_string(status) + ")");
  return nlohmann::json::parse(output);
}

nlohmann::json matrix_to_json(const regress::Matrix& X) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < X.cols(); ++j) row.push_back(X(i, j));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace oh::testing
