#include "hooks/activation_cache.h"

#include "core/error.h"

namespace oh::hooks {

void ActivationCache::put(const std::string& name, at::Tensor value) {
  if (auto it = index_.find(name); it != index_.end()) {
    entries_[it->second].second = std::move(value);
    return;
  }
  index_.emplace(name, entries_.size());
  entries_.emplace_back(name, std::move(value));
}

const at::Tensor& ActivationCache::at(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) {
    std::string message = "activation cache has no '" + name + "' (" + std::to_string(entries_.size()) + " entries";
    if (!entries_.empty()) message += ", from '" + entries_.front().first + "' to '" + entries_.back().first + "'";
    throw InputError(message + "; cache it with a names filter that includes it)");
  }
  return entries_[it->second].second;
}

std::vector<std::string> ActivationCache::names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& entry : entries_) names.push_back(entry.first);
  return names;
}

}  // namespace oh::hooks
