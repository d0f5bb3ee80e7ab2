#include "lm/arch/decoder_hooks.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace oh::lm {

BlockHooks declare_block_hooks(hooks::HookPointRegistry& registry, int layer, const BlockLayout& layout) {
  const std::string prefix = "blocks." + std::to_string(layer) + ".";
  auto point = [&](const char* name, int position_dim = 1) { return registry.declare(prefix + name, layer, position_dim); };
  BlockHooks h;
  h.resid_pre = point("hook_resid_pre");
  h.ln1_scale = point("ln1.hook_scale");
  h.ln1_normalized = point("ln1.hook_normalized");
  h.q = point("attn.hook_q");
  h.k = point("attn.hook_k");
  h.v = point("attn.hook_v");
  if (layout.rotary) {
    h.rot_q = point("attn.hook_rot_q");
    h.rot_k = point("attn.hook_rot_k");
  }
  h.attn_scores = point("attn.hook_attn_scores", 2);  // [b, h, q, k]: positions are the queries
  h.pattern = point("attn.hook_pattern", 2);
  h.z = point("attn.hook_z");
  h.result = point("attn.hook_result");
  h.attn_out = point("hook_attn_out");
  h.resid_mid = point("hook_resid_mid");
  h.ln2_scale = point("ln2.hook_scale");
  h.ln2_normalized = point("ln2.hook_normalized");
  h.mlp_pre = point("mlp.hook_pre");
  if (layout.gated_mlp) h.mlp_pre_linear = point("mlp.hook_pre_linear");
  h.mlp_post = point("mlp.hook_post");
  h.mlp_out = point("hook_mlp_out");
  h.resid_post = point("hook_resid_post");
  return h;
}

NormHooks declare_final_norm_hooks(hooks::HookPointRegistry& registry) {
  NormHooks h;
  h.scale = registry.declare("ln_final.hook_scale");
  h.normalized = registry.declare("ln_final.hook_normalized");
  return h;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

at::Tensor checked_token_ids(const at::Tensor& input, const std::string& architecture, int64_t vocab) {
  if (!input.defined() || input.dim() != 2 || input.numel() == 0 || !at::isIntegralType(input.scalar_type(), false))
    throw InputError(architecture + ": expected token ids as a non-empty [batch, positions] integer tensor, got " +
                     (input.defined() ? std::string(c10::toString(input.scalar_type())) + " of shape " + shape_text(input.sizes().vec())
                                      : std::string("an undefined tensor")));
  const at::Tensor ids = input.to(at::kLong);
  const int64_t lowest = ids.min().item<int64_t>(), highest = ids.max().item<int64_t>();
  if (lowest < 0 || highest >= vocab)
    throw InputError(architecture + ": token id " + std::to_string(lowest < 0 ? lowest : highest) + " is outside the vocabulary [0, " +
                     std::to_string(vocab) + ")");
  return ids;
}

}  // namespace oh::lm
