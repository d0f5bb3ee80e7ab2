#pragma once
// Runs tests/regress_trees/tree_reference.py (Debian's /usr/bin/python3) on a list of requests.
#include <nlohmann/json.hpp>

#include "support/sklearn_reference.h"  // matrix_json

namespace oh::testing {

/// Sends the JSON list of requests, returns the list of answers.
nlohmann::json tree_reference(const nlohmann::json& requests);

}  // namespace oh::testing
