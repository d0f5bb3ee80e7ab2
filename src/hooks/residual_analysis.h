#pragma once
// TransformerLens's ActivationCache analyses over a cached run of a hooked language model: the residual
// stream as a stack of components (accumulated, decomposed, per head), the final norm applied to such a
// stack in both logit-lens conventions of DESIGN §6, and projections on logit directions. Stacks are
// [components, b, p, d] with a label per component; every cache tensor is read at `positions`
// (PositionSlice::all() when the cache was already recorded at a slice).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hooks/activation_cache.h"
#include "hooks/run.h"

namespace oh::hooks {

/// The model's final norm and unembedding as plain tensors, so analyses need no model class: Llama
/// provides RMS with no biases, GPT-2 LayerNorm with both.
struct OutputHead {
  enum class NormKind { RMS, Layer };
  NormKind norm_kind = NormKind::RMS;
  at::Tensor norm_weight;  // [d]
  at::Tensor norm_bias;    // [d], undefined when the norm has none
  double norm_eps = 0;
  at::Tensor W_U;          // [d, vocab] (TransformerLens's orientation)
  at::Tensor b_U;          // [vocab], undefined when the unembedding has none
};

struct ResidualStack {
  at::Tensor components;            // [n, b, p, d]
  std::vector<std::string> labels;  // TransformerLens's labels: "3_pre", "3_mid", "final_post", "embed", "3_attn_out", "L3H5"
};

/// The residual stream entering each block before `layer` ("l_pre", plus "l_mid" with `incl_mid`), ending
/// with the stream entering `layer` itself, or "final_post" (the final norm's input) when `layer` is the
/// block count. `layer` -1 means the block count. InputError for a layer outside -1..n_layers.
ResidualStack accumulated_resid(const ActivationCache& cache, int n_layers, int layer = -1, bool incl_mid = false,
                                const PositionSlice& positions = {});

/// The components whose sum is the stream entering `layer` (-1: the final norm's input): "embed",
/// "pos_embed" when the model has one, then "l_attn_out" and "l_mlp_out" of every block before it.
ResidualStack decompose_resid(const ActivationCache& cache, int n_layers, int layer = -1,
                              const PositionSlice& positions = {});

/// Every head's output ("LlHh", from blocks.l.attn.hook_result, which must be cached: hook_result is
/// opt-in) of every block before `layer` (-1: all blocks).
ResidualStack stack_head_results(const ActivationCache& cache, int n_layers, int layer = -1,
                                 const PositionSlice& positions = {});

/// The two logit-lens conventions of DESIGN §6.
enum class LensConvention {
  /// Linear in the stack, for decompositions: centre (LayerNorm only), divide by the run's cached
  /// ln_final.hook_scale, multiply by the norm's weight. The norm's bias belongs to no component: it is in
  /// logit_bias().
  CachedScale,
  /// The whole final norm (weight and bias) applied to each component with its own statistics, for
  /// accumulated residuals (the logit lens proper).
  Recompute,
};

/// The final norm applied to `stack` ([n, b, p, d], positions as selected by `positions` from the cache,
/// which CachedScale needs for ln_final.hook_scale).
at::Tensor apply_ln(const at::Tensor& stack, const ActivationCache& cache, const OutputHead& head, LensConvention convention,
                    const PositionSlice& positions = {});

/// Each component's contribution to logit(token) − logit(other) (or to logit(token) alone): the stack
/// ([..., d], normed by apply_ln) projected on W_U[:, token] − W_U[:, other]; shape [...]. InputError for
/// a token outside the vocabulary.
at::Tensor logit_attrs(const at::Tensor& stack, const OutputHead& head, int64_t token,
                       std::optional<int64_t> other = std::nullopt);

/// The part of logit(token) − logit(other) no component carries: b_lnf·(W_U[:, token] − W_U[:, other]) +
/// b_U[token] − b_U[other] (0 without biases). With CachedScale, sum(logit_attrs of decompose_resid) +
/// logit_bias equals the model's logit difference.
double logit_bias(const OutputHead& head, int64_t token, std::optional<int64_t> other = std::nullopt);

}  // namespace oh::hooks
