#include "hooks/run.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace oh::hooks {

NameFilter NameFilter::all() {
  NameFilter filter;
  filter.predicate_ = [](const std::string&) { return true; };
  return filter;
}

NameFilter NameFilter::exactly(std::vector<std::string> names) {
  NameFilter filter;
  filter.names_ = std::move(names);
  return filter;
}

NameFilter NameFilter::matching(std::function<bool(const std::string&)> predicate) {
  NameFilter filter;
  filter.predicate_ = std::move(predicate);
  return filter;
}

std::vector<HookId> NameFilter::resolve(const HookPointRegistry& registry) const {
  return names_ ? registry.resolve(*names_) : registry.resolve(predicate_);
}

at::Tensor PositionSlice::apply(const at::Tensor& value, int64_t dim) const {
  const int64_t length = value.size(dim);
  auto clamp_index = [length](int64_t index) {
    if (index < 0) index += length;
    return std::min(std::max<int64_t>(index, 0), length);
  };
  const int64_t begin = clamp_index(start), end = stop ? clamp_index(*stop) : length;
  if (begin >= end)
    throw InputError("position slice [" + std::to_string(start) + ":" + (stop ? std::to_string(*stop) : std::string()) +
                     "] selects no position of " + std::to_string(length));
  if (begin == 0 && end == length) return value;
  return value.narrow(dim, begin, end - begin);
}

CachedRun run_with_cache(const HookedModel& model, const at::Tensor& input, const CacheOptions& options) {
  const HookPointRegistry& registry = model.hook_points();
  CachedRun run;
  HookPass pass(registry);
  if (options.stop_at_layer) pass.stop_at_layer(*options.stop_at_layer);
  ActivationCache& cache = run.cache;
  pass.add(options.names.resolve(registry), [&](const at::Tensor& value, const HookContext& context) -> std::optional<at::Tensor> {
    at::Tensor kept = options.positions.apply(value, context.point.position_dim);
    cache.put(context.point.name, options.detach ? kept.detach() : kept);
    return std::nullopt;
  });
  run.output = model.forward(input, pass);
  return run;
}

at::Tensor run_with_hooks(const HookedModel& model, const at::Tensor& input, const std::vector<NamedHook>& hooks,
                          std::optional<int> stop_at_layer) {
  HookPass pass(model.hook_points());
  if (stop_at_layer) pass.stop_at_layer(*stop_at_layer);
  for (const NamedHook& hook : hooks) pass.add(hook.names.resolve(model.hook_points()), hook.fn);
  return model.forward(input, pass);
}

}  // namespace oh::hooks
