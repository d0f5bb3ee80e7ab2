#pragma once
// Linear self-attention stacks (von Oswald et al. 2023; DESIGN §7) as hooked models (DESIGN §6).
// One layer, per head h: q = W_Q^h e, k = W_K^h e, v = W_V^h e; keys and values come from the N
// context tokens only (the last token is the query); scores = q·k (no softmax, no √d, no 1/N);
// e_j ← e_j + P [z^1_j; …; z^H_j] with z^h_j = Σ_i (q^h_j·k^h_i) v^h_i. The output is
// ŷ = −(y-entry of the final query token).
// The weights are plain tensors (no torch::nn::Module) so that this header stays light; training
// sets requires_grad on parameters() and hands them to an optimizer.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "hooks/hooked_model.h"

namespace oh::icl {

struct LsaConfig {
  int64_t token_dim = 11;  // D = d + 1
  int layers = 1;
  int heads = 1;
  int64_t key_dim = 0;          // per head; 0 means D
  bool shared_weights = false;  // one set of weights applied at every layer
  // The last layer computes only the query's output through icl/kernels' fused readout whenever no
  // hook of that layer is armed (hooks always see the op-by-op intermediates). Off: always op by op.
  bool fused_readout = true;

  /// InputError for dimensions ≤ 0.
  void validate() const;
  int64_t head_dim() const { return key_dim > 0 ? key_dim : token_dim; }
};

struct LsaLayerWeights {
  at::Tensor query, key, value;  // [H, dk, D]
  at::Tensor projection;         // P: [D, H·dk]
};

class LsaModel final : public hooks::HookedModel {
 public:
  /// `weights` holds one entry per layer, or exactly one when config.shared_weights.
  LsaModel(LsaConfig config, std::vector<LsaLayerWeights> weights);
  /// Every entry ~ N(0, init_std²) from a generator seeded with `seed`.
  static LsaModel random(const LsaConfig& config, double init_std, uint64_t seed);

  const hooks::HookPointRegistry& hook_points() const override { return registry_; }
  const LsaConfig& config() const { return config_; }
  const std::vector<LsaLayerWeights>& weights() const { return weights_; }
  /// The distinct weight tensors, layer by layer (query, key, value, projection).
  std::vector<at::Tensor> parameters() const;
  /// The same model on copies of the weights without autograd history.
  LsaModel detached() const;

 protected:
  /// tokens [b, N+1, D] → ŷ [b] (or the residual stream entering the stop layer).
  at::Tensor hooked_forward(const at::Tensor& tokens, hooks::HookPass& pass) const override;

 private:
  struct BlockHooks {
    hooks::HookId resid_pre, q, k, v, scores, pattern, z, attn_out, resid_post;
  };
  LsaConfig config_;
  std::vector<LsaLayerWeights> weights_;
  hooks::HookPointRegistry registry_;
  hooks::HookId embed_;
  std::vector<BlockHooks> blocks_;
};

}  // namespace oh::icl
