#pragma once
// A language model as C++ users of the engine see it: a LanguageModel (token ids → logits, for the
// command line) that is also a hooks::HookedModel over batches of token ids [b, p] (DESIGN §6), with its
// final norm and unembedding for the residual-stream analyses.
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hooks/hooked_model.h"
#include "hooks/residual_analysis.h"
#include "lm/arch/language_model.h"

namespace oh::lm {

/// What incremental decoding keeps between forward passes of one batch.
struct KvCache {
  std::vector<at::Tensor> keys, values;  // per block, [b, h_kv, t, dh]; keys after rotary
  at::Tensor real;                       // bool [b, t]: false for left padding, which nothing attends to
  at::Tensor next_position;              // int64 [b]: the position id of each sequence's next real token
};

class HookedLanguageModel : public LanguageModel, public hooks::HookedModel {
 public:
  /// The device the weights live on; token ids may come on any device, outputs and hook values are
  /// on this one.
  c10::Device device() const { return device_; }

  const std::string& architecture() const final { return architecture_; }
  const hooks::HookPointRegistry& hook_points() const final { return registry_; }

  /// Runs `ids` [b, p] after the positions `cache` holds (an empty cache starts a batch), appending
  /// their keys and values: logits [b, p, vocab]. `real` (bool [b, p]) is false for left padding:
  /// padding takes no position id (ids count real tokens only) and no real token attends to it. A pass
  /// that stops early leaves the cache incomplete.
  virtual at::Tensor forward_cached(const at::Tensor& ids, const at::Tensor& real, KvCache& cache,
                                    hooks::HookPass& pass) const = 0;

  /// Left-pads the prompts into one batch, then samples one token per step with forward_cached.
  std::vector<std::vector<int64_t>> generate(const std::vector<std::vector<int64_t>>& prompts,
                                             const GenerationOptions& options) const override;

  /// Blocks in the model (hook points blocks.0 .. blocks.(n-1)).
  int n_layers() const { return hook_points().layer_count(); }

  /// The final norm and unembedding as used by the forward pass (the analyses of residual_analysis.h).
  virtual hooks::OutputHead output_head() const = 0;

 protected:
  HookedLanguageModel(std::string architecture, c10::Device device) : architecture_(std::move(architecture)), device_(device) {}

  /// LanguageModel's logits through the hooked forward pass on a batch of one, without autograd.
  LogitsMatrix compute_logits(const std::vector<int64_t>& tokens) const final;

  /// What a forward_cached pass over `ids` [b, p] (checked, on the model's device) needs: the position ids
  /// [b, p] of its tokens (real tokens counted after those in the cache; padding clamped, unused) and the
  /// attention mask [b, 1, p, past + p], true where a query may not see a key. Starts `cache` for `blocks`
  /// blocks or checks its batch, and records these tokens in it (the blocks append their keys and values).
  struct CachedStep {
    at::Tensor position_ids, hidden;
  };
  CachedStep advance_cache(const at::Tensor& ids, const at::Tensor& real, KvCache& cache, size_t blocks) const;

  /// Appends keys and values [b, h, p, dh] to one block's cache entries (when given) and returns the keys
  /// and values attention reads: the cached ones followed by these.
  static std::pair<at::Tensor, at::Tensor> append_to_cache(at::Tensor keys, at::Tensor values, at::Tensor* cached_keys,
                                                           at::Tensor* cached_values);

  hooks::HookPointRegistry registry_;  // the architecture declares its hook points here at construction

 private:
  std::string architecture_;
  c10::Device device_;
};

/// Opens a GGUF model for tensor-level use; InputError as load_model.
std::unique_ptr<HookedLanguageModel> load_hooked_model(const std::string& path, const ModelOptions& options = {});

}  // namespace oh::lm
