// Text generation on a hooked language model: prompts left-padded into one batch, one forward pass
// over them, then one token per step through the KV cache; greedy or seeded temperature/top-k sampling.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/numpy_random.h"
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
  const at::Tensor row = logits.to(at::kDouble).contiguous();
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

at::Tensor HookedLanguageModel::forward_cached(const at::Tensor&, const at::Tensor&, KvCache&, hooks::HookPass&) const {
  throw InputError("the " + architecture() + " model has no KV cache yet");
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
