#pragma once
// What every decoder-only architecture of the engine shares: its hook points per block with
// TransformerLens's names (DESIGN §6), declared in forward order, and the check of its token-id input.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hooks/hook_point_registry.h"

namespace oh::lm {

/// The hook points of one block; points the architecture lacks stay -1.
struct BlockHooks {
  hooks::HookId resid_pre = -1, ln1_scale = -1, ln1_normalized = -1, q = -1, k = -1, v = -1, rot_q = -1, rot_k = -1,
                attn_scores = -1, pattern = -1, z = -1, result = -1, attn_out = -1, resid_mid = -1, ln2_scale = -1,
                ln2_normalized = -1, mlp_pre = -1, mlp_pre_linear = -1, mlp_post = -1, mlp_out = -1, resid_post = -1;
};

/// A norm's hooks: scale [b, p, 1] and normalized [b, p, d], before the norm's weight (and bias).
struct NormHooks {
  hooks::HookId scale = -1, normalized = -1;
};

struct BlockLayout {
  bool rotary = false;     // hook_rot_q / hook_rot_k
  bool gated_mlp = false;  // mlp.hook_pre_linear (the up projection beside the gate)
};

BlockHooks declare_block_hooks(hooks::HookPointRegistry& registry, int layer, const BlockLayout& layout);
NormHooks declare_final_norm_hooks(hooks::HookPointRegistry& registry);

/// "[2, 3]".
std::string shape_text(const std::vector<int64_t>& shape);

/// The ids of a non-empty [b, p] integer tensor as int64; InputError naming `architecture` for any other
/// input or an id outside [0, vocab).
at::Tensor checked_token_ids(const at::Tensor& input, const std::string& architecture, int64_t vocab);

}  // namespace oh::lm
