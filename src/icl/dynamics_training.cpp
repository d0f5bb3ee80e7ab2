// Next-token training of causal stacks on linear dynamics through the shared run loop.
#include "icl/dynamics_training.h"

#include <c10/core/GradMode.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "icl/config_json.h"
#include "icl/linear_tasks.h"

namespace oh::icl {
namespace {

constexpr uint64_t kInitStream = 0;  // training batch of step s: stream s + 1

CausalStack initial_model(const DynamicsTrainConfig& c) {
  return CausalStack(c.stack_config(), derive_seed(c.training.seed, kInitStream));
}

at::Tensor training_loss(const CausalStack& model, const DynamicsTrainConfig& c, int64_t step) {
  const DynamicsSequences batch = sample_dynamics(c.dynamics, c.training.batch, derive_seed(c.training.seed, static_cast<uint64_t>(step) + 1));
  return next_state_loss(model.forward(dynamics_tokens(batch.states)), batch.states);
}

nlohmann::json metrics_json(int64_t step, double train_loss, const DynamicsMetrics& m) {
  return {{"step", step},
          {"train_loss", train_loss},
          {"eval_sequences", m.sequences},
          {"eval_loss", m.eval_loss},
          {"late_loss", m.late_loss},
          {"copy_last_loss", m.copy_last_loss},
          {"copy_last_late_loss", m.copy_last_late_loss},
          {"least_squares_loss", m.least_squares_loss},
          {"least_squares_late_loss", m.least_squares_late_loss}};
}

}  // namespace

DynamicsTrainConfig DynamicsTrainConfig::from(const TrainConfig& training) {
  DynamicsTrainConfig c;
  c.training = training;
  c.dynamics = DynamicsConfig::preset(training.task);
  c.validate();
  return c;
}

void DynamicsTrainConfig::validate() const {
  // The optimisation settings follow the linear-regression runs' rules; the task and model are ours.
  TrainConfig generic = training;
  generic.task = "linear", generic.model = "lsa", generic.attn_dim = 0, generic.task_config = LinearTaskConfig{};
  generic.validate();
  if (!DynamicsConfig::is_dynamics_task(training.task)) throw InputError("icl train: '" + training.task + "' is not a dynamics task");
  if (training.shared_weights) throw InputError("icl train: --shared is for LSA stacks on linear regression only");
  if (training.attn_dim != 0) throw InputError("icl train: --attn-dim is for linear regression; sequence models use the full width per head");
  dynamics.validate();
  if (!(ridge > 0) || !std::isfinite(ridge)) throw InputError("icl train: least-squares ridge must be > 0");
  if (late_positions <= 0 || late_positions > dynamics.length - 1)
    throw InputError("icl train: late positions must lie in 1..T−1, got " + std::to_string(late_positions));
  stack_config();  // the model string
}

StackConfig DynamicsTrainConfig::stack_config() const {
  StackConfig s = make_stack_config(training.model, training.layers, training.heads, dynamics.token_dim(), dynamics.state_dim, dynamics.length);
  s.init_std = training.init_std;
  s.validate();
  return s;
}

std::string to_json_text(const DynamicsTrainConfig& c) {
  const DynamicsConfig& d = c.dynamics;
  nlohmann::json j = {{"eval_sequences", c.training.eval_tasks}, {"ridge", c.ridge}, {"late_positions", c.late_positions},
                      {"state_dim", d.state_dim}, {"hidden_dim", d.hidden_dim}, {"mlp_dim", d.mlp_dim}, {"length", d.length},
                      {"observation_var", d.observation_var}, {"mlp_var_over_fan_in", d.mlp_var},
                      {"process_noise_var", d.process_noise_var}, {"observation_noise_var", d.observation_noise_var}};
  write_shared_settings(c.training, j);
  return j.dump(2);
}

DynamicsTrainConfig dynamics_config_from_json_text(const std::string& text, const std::string& source) {
  const ConfigReader get(text, source);
  DynamicsTrainConfig c;
  read_shared_settings(get, c.training);
  c.dynamics = DynamicsConfig::preset(c.training.task);
  DynamicsConfig& d = c.dynamics;
  get("eval_sequences", c.training.eval_tasks), get("ridge", c.ridge), get("late_positions", c.late_positions);
  get("state_dim", d.state_dim), get("hidden_dim", d.hidden_dim), get("mlp_dim", d.mlp_dim), get("length", d.length);
  get("observation_var", d.observation_var), get("mlp_var_over_fan_in", d.mlp_var), get("process_noise_var", d.process_noise_var);
  get("observation_noise_var", d.observation_noise_var);
  c.validate();
  return c;
}

DynamicsMetrics evaluate_dynamics(const CausalStack& model, const DynamicsSequences& sequences, double ridge, int64_t late_positions) {
  c10::NoGradGuard no_grad;
  const at::Tensor& s = sequences.states;
  const int64_t late_from = s.size(1) - 1 - late_positions;
  const at::Tensor predicted = model.forward(dynamics_tokens(s));
  const at::Tensor copy_last = copy_last_predictions(s), least_squares = least_squares_predictions(s, ridge);
  auto loss = [&](const at::Tensor& p, int64_t from) { return next_state_loss(p, s, from).item<double>(); };
  DynamicsMetrics m;
  m.sequences = sequences.count();
  m.eval_loss = loss(predicted, 0), m.late_loss = loss(predicted, late_from);
  m.copy_last_loss = loss(copy_last, 0), m.copy_last_late_loss = loss(copy_last, late_from);
  m.least_squares_loss = loss(least_squares, 0), m.least_squares_late_loss = loss(least_squares, late_from);
  return m;
}

DynamicsTrainResult train_dynamics(const DynamicsTrainConfig& config, const TrainOptions& options) {
  config.validate();
  const CausalStack model = initial_model(config);
  const DynamicsSequences eval_set = sample_dynamics(config.dynamics, config.training.eval_tasks, config.training.eval_seed);
  DynamicsTrainResult result;

  TrainingLoop loop;
  loop.command = "icl train";
  loop.schedule = &config.training;
  loop.config_json = to_json_text(config);
  loop.parameters = model.parameters();
  loop.loss = [&](int64_t step) { return training_loss(model, config, step); };
  loop.evaluate = [&](int64_t step, double train_loss) {
    result.final_metrics = evaluate_dynamics(model, eval_set, config.ridge, config.late_positions);
    const DynamicsMetrics& m = result.final_metrics;
    char text[200];
    std::snprintf(text, sizeof text, "train %.5f  eval %.5f  late %.5f  (copy-last %.5f, least squares %.5f)", train_loss, m.eval_loss,
                  m.late_loss, m.copy_last_late_loss, m.least_squares_late_loss);
    return LoopEvaluation{metrics_json(step, train_loss, m).dump(), text};
  };
  static_cast<LoopResult&>(result) = run_training_loop(loop, options);
  return result;
}

DynamicsRun load_dynamics_run(const std::string& dir) {
  DynamicsTrainConfig config = dynamics_config_from_json_text(recorded_config(dir), dir + "/run.json");
  CausalStack model = initial_model(config);
  load_checkpoint_parameters(dir, model.parameters());
  for (const at::Tensor& p : model.parameters()) p.requires_grad_(false);
  return {std::move(config), std::move(model)};
}

}  // namespace oh::icl
