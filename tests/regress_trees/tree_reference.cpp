#include "tree_reference.h"

#include "support/sklearn_reference.h"

namespace oh::testing {

nlohmann::json tree_reference(const nlohmann::json& requests) {
  return run_python_reference("regress_trees/tree_reference.py", requests.dump());
}

}  // namespace oh::testing
