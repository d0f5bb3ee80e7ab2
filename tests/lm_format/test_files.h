#pragma once
// Temporary files and directories for the lm/format tests, unique per process.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace oh::lm::testing {

inline std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("oh_lm_format_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

inline std::string write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

}  // namespace oh::lm::testing
