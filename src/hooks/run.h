#pragma once
// TransformerLens's entry points: run_with_hooks (hooks for one pass) and run_with_cache (record the
// activations of the named points, optionally at some positions only, optionally stopping early).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hooks/activation_cache.h"
#include "hooks/hooked_model.h"

namespace oh::hooks {

/// Which hook points: all of them, exact names, or a predicate over names.
class NameFilter {
 public:
  static NameFilter all();
  static NameFilter exactly(std::vector<std::string> names);
  static NameFilter matching(std::function<bool(const std::string&)> predicate);
  NameFilter(const char* name) : NameFilter(exactly({name})) {}         // NOLINT: a name reads as a filter
  NameFilter(const std::string& name) : NameFilter(exactly({name})) {}  // NOLINT

  /// Resolved once per run; InputError for a listed name the model does not have.
  std::vector<HookId> resolve(const HookPointRegistry& registry) const;

 private:
  NameFilter() = default;
  std::optional<std::vector<std::string>> names_;
  std::function<bool(const std::string&)> predicate_;
};

/// Python's slice [start:stop] over the position dimension; negative values count from the end.
struct PositionSlice {
  int64_t start = 0;
  std::optional<int64_t> stop;

  static PositionSlice all() { return {}; }
  static PositionSlice only(int64_t position) { return {position, position == -1 ? std::nullopt : std::optional<int64_t>(position + 1)}; }
  /// The slice of `value` along `dim`; InputError when it selects nothing.
  at::Tensor apply(const at::Tensor& value, int64_t dim) const;
};

struct CacheOptions {
  NameFilter names = NameFilter::all();
  PositionSlice positions;
  std::optional<int> stop_at_layer;
  bool detach = true;  // cache values without their autograd history
};

struct CachedRun {
  at::Tensor output;  // logits/predictions, or the residual stream entering stop_at_layer
  ActivationCache cache;
};

CachedRun run_with_cache(const HookedModel& model, const at::Tensor& input, const CacheOptions& options = {});

struct NamedHook {
  NameFilter names;
  HookFn fn;
};

/// One forward pass with `hooks` attached (in order); nothing persists after it.
at::Tensor run_with_hooks(const HookedModel& model, const at::Tensor& input, const std::vector<NamedHook>& hooks,
                          std::optional<int> stop_at_layer = std::nullopt);

}  // namespace oh::hooks
