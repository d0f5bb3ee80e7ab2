// Includes libtorch's optimizer header (prompt tuning is a small training loop).
#include "icl/few_shot.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/optimizer.h>

#include <cmath>
#include <memory>
#include <string>

#include "core/error.h"
#include "icl/dynamics_tasks.h"
#include "icl/linear_tasks.h"
#include "icl/optimizer.h"
#include "icl/train_config.h"

namespace oh::icl {
namespace {

constexpr uint64_t kPromptInitStream = 0;  // tuning batch of step s: stream s + 1

}  // namespace

FewShotTasks sample_few_shot_tasks(int64_t state_dim, int64_t examples, int64_t count, uint64_t seed) {
  if (state_dim <= 0 || examples <= 0 || count <= 0)
    throw InputError("few-shot tasks: dimension, examples and count must be > 0, got " + std::to_string(state_dim) + ", " +
                     std::to_string(examples) + ", " + std::to_string(count));
  DynamicsConfig systems = DynamicsConfig::preset("dynamics");
  systems.state_dim = systems.hidden_dim = state_dim;
  systems.length = 2;  // only W* is used: orthogonal, drawn as the dynamics runs draw theirs
  const at::Tensor w = sample_dynamics(systems, count, derive_seed(seed, 0)).transition;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, 1));
  const at::Tensor x = at::normal(0.0, 1.0, {count, examples, state_dim}, gen, at::TensorOptions().dtype(at::kFloat));
  return {x, at::matmul(x, w.transpose(1, 2)), w};
}

FewShotSequence few_shot_sequence(const FewShotTasks& tasks, const FewShotPrompt& p) {
  const int64_t b = tasks.count(), k = tasks.examples(), n = tasks.x.size(2);
  const int64_t prefix = p.prefix.defined() ? p.prefix.size(0) : 0;
  if (p.eos.defined() && p.eos.sizes() != at::IntArrayRef{n}) throw InputError("few-shot prompt: EOS must be [" + std::to_string(n) + "]");
  if (p.prefix.defined() && (p.prefix.dim() != 2 || p.prefix.size(1) != n))
    throw InputError("few-shot prompt: prefix must be [P, " + std::to_string(n) + "]");
  std::vector<at::Tensor> parts;
  FewShotSequence seq;
  if (prefix > 0) parts.push_back(p.prefix.unsqueeze(0).expand({b, prefix, n}));
  const int64_t stride = p.eos.defined() ? 3 : 2;
  at::Tensor examples = at::stack({tasks.x, tasks.y}, 2);  // [b, K, 2, n]
  if (p.eos.defined()) examples = at::cat({examples, p.eos.view({1, 1, 1, n}).expand({b, k, 1, n})}, 2);
  parts.push_back(examples.reshape({b, k * stride, n}));
  seq.states = at::cat(parts, 1);
  for (int64_t i = 0; i < k; ++i) seq.query_positions.push_back(prefix + i * stride);
  return seq;
}

at::Tensor few_shot_losses(const at::Tensor& predictions, const FewShotSequence& sequence, const FewShotTasks& tasks) {
  const at::Tensor index = at::tensor(sequence.query_positions, at::TensorOptions().dtype(at::kLong));
  const at::Tensor at_queries = predictions.index_select(1, index);  // [b, K, n]
  return 0.5 * (at_queries - tasks.y.to(predictions.scalar_type())).pow(2).sum(-1).mean(0);
}

at::Tensor model_few_shot_losses(const CausalStack& model, const FewShotTasks& tasks, const FewShotPrompt& prompt) {
  const FewShotSequence seq = few_shot_sequence(tasks, prompt);
  return few_shot_losses(model.forward(dynamics_tokens(seq.states)), seq, tasks);
}

at::Tensor least_squares_few_shot_losses(const FewShotTasks& tasks, const FewShotPrompt& prompt, double ridge, bool spurious_pairs) {
  if (!(ridge > 0) || !std::isfinite(ridge)) throw InputError("few-shot least squares: ridge must be > 0, got " + std::to_string(ridge));
  if (spurious_pairs) {
    // Every consecutive pair before the query: the dynamics baseline run on the prompt itself.
    const FewShotSequence seq = few_shot_sequence(tasks, prompt);
    return few_shot_losses(least_squares_predictions(seq.states.detach().to(at::kDouble), ridge), seq, tasks);
  }
  // Query i (at x_i) sees the true pairs (x_j, y_j), j < i.
  const at::Tensor y = tasks.y.to(at::kDouble);
  return 0.5 * (ridge_on_earlier_pairs(tasks.x, tasks.y, tasks.x, ridge) - y).pow(2).sum(-1).mean(0);
}

void PromptTuningConfig::validate() const {
  if (prefix_length < 0) throw InputError("few-shot tuning: prefix length must be ≥ 0, got " + std::to_string(prefix_length));
  if (examples <= 0 || steps < 0 || batch <= 0)
    throw InputError("few-shot tuning: examples and batch must be > 0 and steps ≥ 0, got " + std::to_string(examples) + ", " +
                     std::to_string(batch) + ", " + std::to_string(steps));
  if (!(lr > 0) || !std::isfinite(lr)) throw InputError("few-shot tuning: learning rate must be finite and > 0, got " + std::to_string(lr));
}

FewShotPrompt initial_prompt(const PromptTuningConfig& config, int64_t state_dim) {
  config.validate();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.seed, kPromptInitStream));
  const auto options = at::TensorOptions().dtype(at::kFloat);
  // Both are drawn whether used or not: a variant's EOS does not depend on whether it has a prefix.
  const at::Tensor eos = at::normal(0.0, 1.0, {state_dim}, gen, options);
  const at::Tensor prefix = at::normal(0.0, 1.0, {std::max<int64_t>(config.prefix_length, 1), state_dim}, gen, options);
  return {config.eos ? eos : at::Tensor(), config.prefix_length > 0 ? prefix.narrow(0, 0, config.prefix_length).clone() : at::Tensor()};
}

FewShotPrompt tune_prompt(const CausalStack& model, const PromptTuningConfig& config) {
  const int64_t n = model.config().output_dim;
  FewShotPrompt prompt = initial_prompt(config, n);
  std::vector<at::Tensor> learned;
  for (at::Tensor* t : {&prompt.eos, &prompt.prefix})
    if (t->defined()) learned.push_back(t->requires_grad_(true));
  if (learned.empty() || config.steps == 0) return prompt;
  for (const at::Tensor& p : model.parameters())
    if (p.requires_grad()) throw InputError("few-shot tuning: the model must be frozen (its parameters require grad)");
  TrainConfig adam;
  adam.lr = config.lr;
  const std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(adam, learned);
  for (int64_t step = 0; step < config.steps; ++step) {
    const FewShotTasks batch = sample_few_shot_tasks(n, config.examples, config.batch, derive_seed(config.seed, static_cast<uint64_t>(step) + 1));
    const at::Tensor loss = model_few_shot_losses(model, batch, prompt).mean();
    if (!std::isfinite(loss.item<double>())) throw ComputationError("few-shot tuning: loss is not finite at step " + std::to_string(step));
    optimizer->zero_grad();
    loss.backward();
    optimizer->step();
  }
  for (at::Tensor* t : {&prompt.eos, &prompt.prefix})
    if (t->defined()) *t = t->detach().clone();
  return prompt;
}

}  // namespace oh::icl
