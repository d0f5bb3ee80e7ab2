#pragma once
// Activations by hook name, in the order the forward pass produced them (TransformerLens's
// ActivationCache without the analyses, which live in residual_analysis.h).
#include <ATen/core/Tensor.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace oh::hooks {

class ActivationCache {
 public:
  /// Adds (or, for a point fired twice, replaces) `name`'s activation.
  void put(const std::string& name, at::Tensor value);

  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  /// InputError naming the missing point and what the cache holds.
  const at::Tensor& at(const std::string& name) const;
  const at::Tensor& operator[](const std::string& name) const { return at(name); }

  size_t size() const { return entries_.size(); }
  std::vector<std::string> names() const;
  const std::vector<std::pair<std::string, at::Tensor>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, at::Tensor>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace oh::hooks
