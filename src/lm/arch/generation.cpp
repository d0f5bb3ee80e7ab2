// Text generation on a hooked language model: prompts left-padded into one batch, one forward pass
// over them, then one token per step through the KV cache; greedy or seeded temperature/top-k sampling.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/numpy_random.h"
#include "lm/arch/decoder_hooks.h"
#include "lm/arch/hooked_language_model.h"

namespace oh::lm {
namespace {

void check_options(const GenerationOptions& o) {
  if (o.max_new_tokens < 0) throw InputError("generate: max_new_tokens must be >= 0, got " + std::to_string(o.max_new_tokens));
  if (!(o.temperature >= 0)) throw InputError("generate: temperature must be >= 0, got " + std::to_string(o.temperature));
  if (o.top_k < 0) throw InputError("generate: top_k must be >= 0, got " + std::to_string(o.top_k));
}

/// The next token from one row of logits: argmax at temperature 0, otherwise a draw from
/// softmax(logits / temperature) restricted to the top_k most likely (ties broken by lower id), by
/// inverting the cumulative distribution (computed in double) at rng.random_sample().
int64_t next_token(const at::Tensor& logits, const GenerationOptions& o, RandomState& rng) {
  const at::Tensor row = logits.to(at::kCPU, at::kDouble).contiguous();
  const double* values = row.data_ptr<double>();
  const int64_t vocab = row.numel();
  if (o.temperature == 0) return std::max_element(values, values + vocab) - values;
  std::vector<int64_t> order(static_cast<size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return values[a] > values[b]; });
  const size_t kept = o.top_k > 0 ? static_cast<size_t>(std::min(o.top_k, vocab)) : order.size();
  std::vector<double> weights(kept);
  for (size_t i = 0; i < kept; ++i) weights[i] = std::exp((values[order[i]] - values[order[0]]) / o.temperature);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const double target = rng.random_sample() * total;
  double cumulative = 0;
  for (size_t i = 0; i < kept; ++i) {
    cumulative += weights[i];
    if (target < cumulative) return order[i];
  }
  return order[kept - 1];  // target within rounding of the total
}

}  // namespace

HookedLanguageModel::CachedStep HookedLanguageModel::advance_cache(const at::Tensor& ids, const at::Tensor& real, KvCache& cache,
                                                                   size_t blocks) const {
  const int64_t batch = ids.size(0), positions = ids.size(1);
  if (!real.defined() || real.sizes() != ids.sizes())
    throw InputError(architecture() + ": the real-token mask must have the shape of the token ids " + shape_text(ids.sizes().vec()));
  if (cache.keys.empty()) {
    cache.keys.resize(blocks);
    cache.values.resize(blocks);
    cache.real = at::zeros({batch, 0}, at::TensorOptions().dtype(at::kBool).device(device()));
    cache.next_position = at::zeros({batch}, at::TensorOptions().dtype(at::kLong).device(device()));
  } else if (cache.real.size(0) != batch) {
    throw InputError(architecture() + ": the KV cache holds a batch of " + std::to_string(cache.real.size(0)) + ", not " +
                     std::to_string(batch));
  }
  const at::Tensor is_real = real.to(device(), at::kBool);
  // Position ids count real tokens only (padding takes the next one's, unused).
  CachedStep step;
  step.position_ids = (cache.next_position.unsqueeze(1) + is_real.to(at::kLong).cumsum(1) - 1).clamp_min(0);
  const int64_t past = cache.real.size(1);
  const at::Tensor keys_real = at::cat({cache.real, is_real}, 1);  // [b, past + p]
  // Query i (key index past + i) sees keys up to its own, except padding; a padding query sees itself,
  // so its softmax row is finite (no real query reads it).
  const at::TensorOptions flags = at::TensorOptions().dtype(at::kBool).device(device());
  const at::Tensor later = at::ones({positions, past + positions}, flags).triu(past + 1);
  at::Tensor itself = at::zeros({positions, past + positions}, flags);
  itself.narrow(1, past, positions).fill_diagonal_(true);
  step.hidden = ((later.unsqueeze(0) | keys_real.logical_not().unsqueeze(1)) &
                 (itself.unsqueeze(0) & is_real.logical_not().unsqueeze(2)).logical_not())
                    .unsqueeze(1);
  cache.real = keys_real;
  cache.next_position = cache.next_position + is_real.to(at::kLong).sum(1);
  return step;
}

std::pair<at::Tensor, at::Tensor> HookedLanguageModel::append_to_cache(at::Tensor keys, at::Tensor values, at::Tensor* cached_keys,
                                                                       at::Tensor* cached_values) {
  if (!cached_keys) return {keys, values};
  if (cached_keys->defined()) {
    keys = at::cat({*cached_keys, keys}, 2);
    values = at::cat({*cached_values, values}, 2);
  }
  *cached_keys = keys;
  *cached_values = values;
  return {keys, values};
}

std::vector<std::vector<int64_t>> HookedLanguageModel::generate(const std::vector<std::vector<int64_t>>& prompts,
                                                                const GenerationOptions& options) const {
  check_options(options);
  if (prompts.empty()) throw InputError("generate: no prompts");
  size_t longest = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) throw InputError("generate: prompt " + std::to_string(i) + " is empty");
    longest = std::max(longest, prompts[i].size());
  }
  const auto batch = static_cast<int64_t>(prompts.size());
  // Left padding with token 0 (any valid id: padding is masked out and takes no position).
  at::Tensor ids = at::zeros({batch, static_cast<int64_t>(longest)}, at::kLong);
  at::Tensor real = at::zeros({batch, static_cast<int64_t>(longest)}, at::kBool);
  for (int64_t b = 0; b < batch; ++b) {
    const std::vector<int64_t>& prompt = prompts[static_cast<size_t>(b)];
    const auto offset = static_cast<int64_t>(longest - prompt.size());
    ids[b].narrow(0, offset, static_cast<int64_t>(prompt.size())).copy_(at::tensor(prompt, at::kLong));
    real[b].narrow(0, offset, static_cast<int64_t>(prompt.size())).fill_(true);
  }

  c10::InferenceMode inference;
  RandomState rng(options.seed);
  KvCache cache;
  std::vector<std::vector<int64_t>> generated(prompts.size());
  std::vector<bool> done(prompts.size(), false);
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    hooks::HookPass none(hook_points());
    const at::Tensor logits = forward_cached(ids, real, cache, none).select(1, -1);  // [b, vocab]
    at::Tensor next = at::zeros({batch, 1}, at::kLong);
    for (int64_t b = 0; b < batch; ++b) {
      if (done[static_cast<size_t>(b)]) continue;  // finished sequences feed token 0, whose logits are unused
      const int64_t token = next_token(logits[b], options, rng);
      generated[static_cast<size_t>(b)].push_back(token);
      next[b][0] = token;
      const auto& stops = options.stop_tokens;
      done[static_cast<size_t>(b)] = std::find(stops.begin(), stops.end(), token) != stops.end();
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    ids = next;
    real = at::ones({batch, 1}, at::kBool);
  }
  return generated;
}

}  // namespace oh::lm
