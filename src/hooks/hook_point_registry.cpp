#include "hooks/hook_point_registry.h"

#include <algorithm>
#include <cassert>

#include "core/error.h"

namespace oh::hooks {
namespace {

/// Levenshtein distance, for "did you mean" in unknown-name errors.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

HookId HookPointRegistry::declare(std::string name, int layer, int position_dim) {
  assert(!by_name_.count(name) && "hook point declared twice");
  const auto id = static_cast<HookId>(points_.size());
  by_name_.emplace(name, id);
  points_.push_back(HookPoint{std::move(name), layer, position_dim});
  layer_count_ = std::max(layer_count_, layer + 1);
  return id;
}

HookId HookPointRegistry::resolve(const std::string& name) const {
  if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  std::string message = "unknown hook point '" + name + "'";
  if (!points_.empty()) {
    const HookPoint& closest = *std::min_element(points_.begin(), points_.end(), [&](const HookPoint& a, const HookPoint& b) {
      return edit_distance(name, a.name) < edit_distance(name, b.name);
    });
    message += " (closest: '" + closest.name + "'; " + std::to_string(points_.size()) + " points in this model)";
  }
  throw InputError(message);
}

std::vector<HookId> HookPointRegistry::resolve(const std::vector<std::string>& names) const {
  std::vector<HookId> ids;
  ids.reserve(names.size());
  for (const std::string& name : names) ids.push_back(resolve(name));
  return ids;
}

std::vector<HookId> HookPointRegistry::resolve(const std::function<bool(const std::string&)>& predicate) const {
  std::vector<HookId> ids;
  for (size_t i = 0; i < points_.size(); ++i)
    if (predicate(points_[i].name)) ids.push_back(static_cast<HookId>(i));
  return ids;
}

}  // namespace oh::hooks
