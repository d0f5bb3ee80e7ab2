#include "regress/registry.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "regress/families.h"

namespace oh::regress {

const char* agreement_name(Agreement agreement) {
  switch (agreement) {
    case Agreement::kExact: return "exact";
    case Agreement::kTrees: return "trees";
    case Agreement::kMlp: return "mlp";
    case Agreement::kBruteForce: return "brute-force";
  }
  return "?";
}

const std::vector<RegressorSpec>& all_regressors() {
  static const std::vector<RegressorSpec> specs = [] {
    std::vector<RegressorSpec> all;
    for (auto family : {exact_family, tree_family, mlp_family}) {
      auto part = family();
      all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    return all;
  }();
  return specs;
}

const RegressorSpec& find_regressor(const std::string& name) {
  const auto& specs = all_regressors();
  const auto it = std::find_if(specs.begin(), specs.end(), [&](const RegressorSpec& s) { return s.name == name; });
  if (it != specs.end()) return *it;
  std::vector<std::string> valid;
  for (const auto& s : specs)
    if (s.name.rfind("knn_search_", 0) != 0) valid.push_back(s.name);
  throw InputError("unknown regressor '" + name + "' (valid: " + join(valid) + ", knn_search_1..70, all)");
}

std::vector<const RegressorSpec*> resolve_regressors(const std::string& list) {
  std::vector<const RegressorSpec*> out;
  std::set<std::string> seen;
  for (const auto& name : split_list(list)) {
    if (name == "all") {
      for (const auto& s : all_regressors())
        if (s.in_all && seen.insert(s.name).second) out.push_back(&s);
    } else if (seen.insert(name).second) {
      out.push_back(&find_regressor(name));
    }
  }
  if (out.empty()) throw InputError("no regressors selected by '" + list + "'");
  return out;
}

}  // namespace oh::regress
