#pragma once
// Runs tests/regress_trees/tree_reference.py (Debian's /usr/bin/python3) on a list of requests.
#include <nlohmann/json.hpp>

#include "regress/regressor.h"

namespace oh::testing {

/// Sends the JSON list of requests, returns the list of answers.
nlohmann::json tree_reference(const nlohmann::json& requests);

/// Rows of X as nested JSON lists.
nlohmann::json matrix_to_json(const regress::Matrix& X);

}  // namespace oh::testing
