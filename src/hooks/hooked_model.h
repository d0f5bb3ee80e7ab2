#pragma once
// What every hooked model offers (engine LLMs and the ICL lab's transformers alike): its hook points
// and a forward pass that routes activations through a HookPass.
#include <ATen/core/Tensor.h>

#include "hooks/hook_pass.h"
#include "hooks/hook_point_registry.h"

namespace oh::hooks {

class HookedModel {
 public:
  virtual ~HookedModel() = default;

  virtual const HookPointRegistry& hook_points() const = 0;

  /// One forward pass with `pass`'s hooks. The input is the model's own (token ids [b, p] for
  /// language models, token vectors [b, p, d] for the ICL lab); the output is its logits or
  /// predictions, or the residual stream entering the stop layer when `pass` stops early.
  at::Tensor forward(const at::Tensor& input, HookPass& pass) const { return hooked_forward(input, pass); }

  /// The forward pass with no hooks.
  at::Tensor forward(const at::Tensor& input) const {
    HookPass none(hook_points());
    return hooked_forward(input, none);
  }

 protected:
  virtual at::Tensor hooked_forward(const at::Tensor& input, HookPass& pass) const = 0;
};

}  // namespace oh::hooks
