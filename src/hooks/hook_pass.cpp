#include "hooks/hook_pass.h"

#include <cassert>
#include <string>

#include "core/error.h"

namespace oh::hooks {
namespace {

std::string shape_text(at::IntArrayRef sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) text += (i ? ", " : "") + std::to_string(sizes[i]);
  return text + "]";
}

}  // namespace

HookPass::HookPass(const HookPointRegistry& registry)
    : registry_(registry), armed_(registry.size(), 0), hooks_(registry.size()) {}

void HookPass::add(HookId id, HookFn fn) {
  if (!OH_HOOK_POINTS) throw InputError("this build has hook points compiled out (CMake option OH_HOOK_POINTS=OFF)");
  assert(id >= 0 && static_cast<size_t>(id) < hooks_.size());
  hooks_[static_cast<size_t>(id)].push_back(std::move(fn));
  armed_[static_cast<size_t>(id)] = 1;
}

void HookPass::add(const std::vector<HookId>& ids, const HookFn& fn) {
  for (HookId id : ids) add(id, fn);
}

void HookPass::stop_at_layer(int layer) {
  if (layer < 0 || layer > registry_.layer_count())
    throw InputError("stop at layer " + std::to_string(layer) + " is outside 0.." + std::to_string(registry_.layer_count()));
  stop_layer_ = layer;
}

at::Tensor HookPass::fire(HookId id, at::Tensor value) {
  const HookContext context{id, registry_.point(id)};
  for (const HookFn& hook : hooks_[static_cast<size_t>(id)]) {
    std::optional<at::Tensor> replacement = hook(value, context);
    if (!replacement) continue;
    if (!replacement->defined() || replacement->sizes() != value.sizes())
      throw InputError("hook on '" + context.point.name + "' returned shape " +
                       (replacement->defined() ? shape_text(replacement->sizes()) : std::string("(undefined)")) +
                       ", expected " + shape_text(value.sizes()));
    value = std::move(*replacement);
  }
  return value;
}

}  // namespace oh::hooks
