#pragma once
// Few-shot prompting of a causal stack trained on linear dynamics (the mesa-optimization paper's
// few-shot experiment; DESIGN §7). A task is a regression y = W* x with x ~ N(0, I_n) and W* a random
// orthogonal matrix drawn as the dynamics tasks draw theirs; its prompt is the state sequence
//   [prefix_1 … prefix_P,] x_1, y_1, [EOS,] x_2, y_2, [EOS,] …, x_K, y_K
// fed through dynamics_tokens, and example i is scored by the model's next-state prediction at x_i
// against y_i (½‖ŷ − y_i‖², averaged over tasks), with i − 1 examples before it. The model, trained on
// sequences where every consecutive pair is a transition, also regresses on the spurious pairs
// (y_i → EOS or x_{i+1}): its loss first rises with the number of examples ("early ascent").
// The control: ridge least squares on every consecutive pair before the query (the dynamics
// baseline applied to the prompt, spurious pairs included) against ridge on the true pairs only.
// Mitigation: a learned EOS vector and/or a learned prefix (prompt tuning; the model stays frozen).
// Our choices where the paper is silent: EOS and prefix live in state space (they are prompt states,
// tokenised like the others), both start from N(0, I); tuning uses Adam (lr 1e-2, batch 64) on the
// mean loss over all K examples with a fresh seeded batch of tasks per step.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "icl/causal_stack.h"

namespace oh::icl {

struct FewShotTasks {
  at::Tensor x, y;  // [b, K, n]
  at::Tensor w;     // W* [b, n, n]

  int64_t count() const { return x.size(0); }
  int64_t examples() const { return x.size(1); }
};

/// `count` float32 tasks of K = `examples` pairs in dimension n from `seed`; InputError for sizes ≤ 0.
FewShotTasks sample_few_shot_tasks(int64_t state_dim, int64_t examples, int64_t count, uint64_t seed);

struct FewShotPrompt {
  at::Tensor eos;     // [n], or undefined for none
  at::Tensor prefix;  // [P, n], or undefined for none
};

struct FewShotSequence {
  at::Tensor states;                    // [b, P + K·(2 or 3), n]
  std::vector<int64_t> query_positions; // the position of x_i, i = 1..K
};

FewShotSequence few_shot_sequence(const FewShotTasks& tasks, const FewShotPrompt& prompt);

/// Per-example losses [K] from next-state predictions [b, L, n] of `sequence` (differentiable).
at::Tensor few_shot_losses(const at::Tensor& predictions, const FewShotSequence& sequence, const FewShotTasks& tasks);

/// The model's per-example losses [K] on the prompted tasks.
at::Tensor model_few_shot_losses(const CausalStack& model, const FewShotTasks& tasks, const FewShotPrompt& prompt);

/// The least-squares control, per-example losses [K] (double): ridge regression fitted at each query on
/// every consecutive pair of the prompt before it (spurious pairs included), or on the pairs (x_j, y_j),
/// j < i, only. InputError for ridge ≤ 0.
at::Tensor least_squares_few_shot_losses(const FewShotTasks& tasks, const FewShotPrompt& prompt, double ridge, bool spurious_pairs);

struct PromptTuningConfig {
  bool eos = false;
  int64_t prefix_length = 0;
  int64_t examples = 10;
  int64_t steps = 300;
  int64_t batch = 64;
  double lr = 1e-2;
  uint64_t seed = 0;  // initial EOS and prefix, and the tuning batches

  void validate() const;
};

/// The initial prompt of `config` (EOS and prefix ~ N(0, I) from config.seed).
FewShotPrompt initial_prompt(const PromptTuningConfig& config, int64_t state_dim);

/// Tunes the prompt's EOS and prefix with the model frozen; returns the tuned prompt (no autograd history).
FewShotPrompt tune_prompt(const CausalStack& model, const PromptTuningConfig& config);

}  // namespace oh::icl
