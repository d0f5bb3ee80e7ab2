#pragma once
// Causal sequence models of the mesa-optimization paper (DESIGN §6-§7): a residual stream of token
// vectors [b, p, D] through blocks of  [LayerNorm] → attention → [LayerNorm → MLP], each added to the
// stream; the prediction is the first `output_dim` entries of the final stream (for dynamics tokens
// [Φ0 s_t, s_t, s_{t−1}], the block that the Prop. 1 construction updates to its GD-step prediction).
// Attention kinds, all causal over the positions up to and including the current one:
//   linear  — LSA: scores q·k (no softmax, no scaling), pattern = scores, out = W_O Σ scores·v
//   softmax — scores q·k/√d_head, −∞ above the diagonal, softmax
//   mesa    — src/icl/mesa's MesaAttention (per-head causal ridge regression)
// Models are built from a short string by make_stack_config (a table of architectures plus modifiers).
// Hook points (TransformerLens names): hook_embed, hook_pos_embed (with positions), and per block l:
//   blocks.l.hook_resid_pre, ln1.hook_scale/hook_normalized, attn.hook_q/k/v [b,p,h,dh],
//   attn.hook_attn_scores/hook_pattern [b,h,q,k] (mesa: attn.hook_q_tilde instead), attn.hook_z,
//   hook_attn_out, and with an MLP hook_resid_mid, ln2.*, mlp.hook_pre/hook_post, hook_mlp_out; then
//   hook_resid_post.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hooks/hooked_model.h"

namespace oh::icl {
namespace mesa {
class MesaAttentionImpl;
}

enum class AttentionKind { linear, softmax, mesa };
enum class PositionalEncoding { none, learned, sinusoidal };

struct StackConfig {
  int64_t d_model = 30;
  int64_t output_dim = 10;
  std::vector<AttentionKind> layers{AttentionKind::linear};
  int64_t heads = 1;
  int64_t d_head = 0;  // per head; 0 = d_model (every head full width, as in von Oswald's LSA)
  bool mlp = false;
  int64_t mlp_dim = 0;  // 0 = 4·d_model
  bool layer_norm = false;
  PositionalEncoding positional = PositionalEncoding::none;
  int64_t max_positions = 0;  // learned positions: the longest sequence
  double init_std = 0.0135;
  std::optional<double> mesa_fixed_lambda;  // every mesa layer's λ, fixed (not learned) when set

  /// InputError naming the first impossible setting.
  void validate() const;
  int64_t head_dim() const { return d_head > 0 ? d_head : d_model; }
  int64_t hidden_dim() const { return mlp_dim > 0 ? mlp_dim : 4 * d_model; }
};

/// From a model string: an architecture name, then comma-separated modifiers, e.g. "lsa",
/// "hybrid,pos=none", "softmax,no-mlp". Architectures (first layer / later layers; defaults):
///   lsa: linear/linear;  mesa: mesa/mesa;  softmax: softmax/softmax with MLP, LayerNorm, learned
///   positions;  hybrid: softmax/mesa with learned positions.
/// Modifiers: mlp, no-mlp, ln, no-ln, pos=none|learned|sinusoidal, lambda=V (the mesa layers' λ fixed at
/// V > 0). InputError for anything else.
StackConfig make_stack_config(const std::string& model, int layers, int64_t heads, int64_t d_model, int64_t output_dim,
                              int64_t max_positions);
/// The architecture names, for help texts and errors.
std::string stack_architecture_names();

class CausalStack final : public hooks::HookedModel {
 public:
  /// Weights ~ N(0, init_std²) from a generator seeded with `seed` (LayerNorm 1 and 0, biases 0).
  CausalStack(StackConfig config, uint64_t seed);

  const hooks::HookPointRegistry& hook_points() const override { return registry_; }
  const StackConfig& config() const { return config_; }
  /// Every learned tensor by name (e.g. "blocks.0.attn.w_q", "blocks.1.attn.log_lambda"), in a fixed order.
  const std::vector<std::pair<std::string, at::Tensor>>& named_parameters() const { return parameters_; }
  std::vector<at::Tensor> parameters() const;
  /// The parameter called `name`; InputError when there is none.
  at::Tensor parameter(const std::string& name) const;

 protected:
  /// tokens [b, p, D] → predictions [b, p, output_dim] (or the stream entering the stop layer).
  at::Tensor hooked_forward(const at::Tensor& tokens, hooks::HookPass& pass) const override;

 private:
  struct LayerNormHooks {
    at::Tensor weight, bias;
    hooks::HookId scale = -1, normalized = -1;
  };
  struct Block {
    AttentionKind kind;
    LayerNormHooks ln1, ln2;
    at::Tensor w_q, w_k, w_v, w_o;                 // linear and softmax attention
    std::shared_ptr<mesa::MesaAttentionImpl> mesa;  // mesa attention
    at::Tensor w_in, b_in, w_out, b_out;           // MLP
    hooks::HookId resid_pre, q = -1, k = -1, v = -1, scores = -1, pattern = -1, z = -1, attn_out = -1;
    hooks::HookId resid_mid = -1, mlp_pre = -1, mlp_post = -1, mlp_out = -1, resid_post;
  };

  at::Tensor add_parameter(const std::string& name, at::Tensor value);
  LayerNormHooks make_layer_norm(const std::string& prefix, int layer);
  at::Tensor layer_norm(const LayerNormHooks& ln, const at::Tensor& x, hooks::HookPass& pass) const;
  at::Tensor attention(const Block& block, const at::Tensor& x, hooks::HookPass& pass) const;
  at::Tensor mlp(const Block& block, const at::Tensor& x, hooks::HookPass& pass) const;

  StackConfig config_;
  hooks::HookPointRegistry registry_;
  std::vector<std::pair<std::string, at::Tensor>> parameters_;
  hooks::HookId embed_, pos_embed_ = -1;
  at::Tensor positions_;  // [max_positions or used length, D]; learned or fixed
  std::vector<Block> blocks_;
};

}  // namespace oh::icl
