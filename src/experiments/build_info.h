#pragma once
// Versions of the program and of the libraries that decide its numbers, for run.json.
#include <nlohmann/json.hpp>

namespace oh::experiments {

/// {"optim_hunter": version, "git_commit": ..., "compiler": ..., "eigen": ..., "libsvm": ..., "sqlite": ...}
nlohmann::json build_info();

}  // namespace oh::experiments
