#pragma once
// The hooks of one forward pass (DESIGN §6). A model's forward sends each hooked activation through
// `pass(id, value)`: with nothing attached to that point this costs one branch, and with the CMake
// option OH_HOOK_POINTS=OFF it compiles to nothing (the baseline the ≤ 2% cost is measured against).
// Contract for models: a tensor given to a hook point is not modified in place afterwards (caches keep
// it without copying), and a model calls `stops_before(l)` before block l.
#include <ATen/core/Tensor.h>

#include <functional>
#include <optional>
#include <vector>

#include "hooks/hook_point_registry.h"

#ifndef OH_HOOK_POINTS
#define OH_HOOK_POINTS 1
#endif

namespace oh::hooks {

struct HookContext {
  HookId id;
  const HookPoint& point;
};

/// Reads an activation; returning a tensor replaces it (same shape required), std::nullopt leaves it.
using HookFn = std::function<std::optional<at::Tensor>(const at::Tensor& value, const HookContext& context)>;

class HookPass {
 public:
  explicit HookPass(const HookPointRegistry& registry);

  /// Attaches `fn` to point `id`; hooks on one point run in the order added, each seeing the
  /// previous one's replacement. InputError when the build has hook points compiled out.
  void add(HookId id, HookFn fn);
  void add(const std::vector<HookId>& ids, const HookFn& fn);

  /// Ends the forward pass before block `layer` (the model returns the residual stream entering it).
  /// InputError unless 0 ≤ layer ≤ the model's block count.
  void stop_at_layer(int layer);
  bool stops_before(int layer) const { return stop_layer_ && *stop_layer_ == layer; }

  /// Whether anything is attached to `id`: models compute opt-in points (hook_result) only then.
  bool armed(HookId id) const {
#if OH_HOOK_POINTS
    return armed_[static_cast<size_t>(id)] != 0;
#else
    (void)id;
    return false;
#endif
  }

  at::Tensor operator()(HookId id, at::Tensor value) {
#if OH_HOOK_POINTS
    if (!armed_[static_cast<size_t>(id)]) return value;
    return fire(id, std::move(value));
#else
    (void)id;
    return value;
#endif
  }

 private:
  at::Tensor fire(HookId id, at::Tensor value);

  const HookPointRegistry& registry_;
  std::vector<uint8_t> armed_;
  std::vector<std::vector<HookFn>> hooks_;
  std::optional<int> stop_layer_;
};

}  // namespace oh::hooks
