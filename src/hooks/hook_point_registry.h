#pragma once
// The hook points a model declares at construction (DESIGN §6), and the resolution of a name, a list
// of names or a predicate to hook ids, done once per run rather than per hook point per pass.
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace oh::hooks {

using HookId = int32_t;

struct HookPoint {
  std::string name;       // TransformerLens's name, e.g. "blocks.3.attn.hook_pattern"
  int layer = -1;         // block index; -1 for points outside the blocks (hook_embed, ln_final.*)
  int position_dim = 1;   // the dimension that indexes sequence positions (queries for patterns)
};

class HookPointRegistry {
 public:
  /// Declares a hook point; names are unique (asserted: declaring is the model's own code).
  HookId declare(std::string name, int layer = -1, int position_dim = 1);

  size_t size() const { return points_.size(); }
  const HookPoint& point(HookId id) const { return points_.at(static_cast<size_t>(id)); }
  const std::vector<HookPoint>& points() const { return points_; }

  /// The id of `name`; InputError naming it (and a close known name) when the model has no such point.
  HookId resolve(const std::string& name) const;
  /// Ids of every name, in the order given; InputError for the first unknown one.
  std::vector<HookId> resolve(const std::vector<std::string>& names) const;
  /// Ids of the points whose names satisfy `predicate`, in declaration order (possibly none).
  std::vector<HookId> resolve(const std::function<bool(const std::string&)>& predicate) const;

  /// Number of blocks (one more than the largest layer declared).
  int layer_count() const { return layer_count_; }

 private:
  std::vector<HookPoint> points_;
  std::unordered_map<std::string, HookId> by_name_;
  int layer_count_ = 0;
};

}  // namespace oh::hooks
