// Includes libtorch's optimizer and serialization headers (like training.cpp, for dynamics runs).
#include "icl/dynamics_training.h"

#include <c10/core/GradMode.h>
#include <ATen/Parallel.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "icl/optimizer.h"
#include "icl/linear_tasks.h"

namespace oh::icl {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kInitStream = 0;  // training batch of step s: stream s + 1
constexpr double kDivergenceFactor = 10.0;

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

void save_weights(const fs::path& path, const CausalStack& model) {
  torch::serialize::OutputArchive archive;
  for (const auto& [name, value] : model.named_parameters()) archive.write(name, value.detach());
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path.string(), bytes.str());
}

void load_weights(const fs::path& path, const CausalStack& model) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
    c10::NoGradGuard no_grad;
    for (const auto& [name, value] : model.named_parameters()) {
      at::Tensor stored;
      archive.read(name, stored);
      if (stored.sizes() != value.sizes()) throw InputError("parameter " + name + " has another shape");
      value.copy_(stored);
    }
  } catch (const c10::Error& e) {
    throw InputError(path.string() + ": not the weights of this run: " + e.what_without_backtrace());
  }
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
  const TrainConfig& t = c.training;
  const DynamicsConfig& d = c.dynamics;
  const nlohmann::json j = {
      {"task", t.task}, {"model", t.model}, {"layers", t.layers}, {"heads", t.heads}, {"init_std", t.init_std},
      {"optimizer", t.optimizer}, {"lr", t.lr}, {"beta1", t.beta1}, {"beta2", t.beta2}, {"adam_eps", t.adam_eps},
      {"weight_decay", t.weight_decay}, {"clip_norm", t.clip_norm}, {"warmup_steps", t.warmup_steps}, {"cosine", t.cosine},
      {"steps", t.steps}, {"batch", t.batch}, {"eval_every", t.eval_every}, {"eval_sequences", t.eval_tasks},
      {"seed", t.seed}, {"eval_seed", t.eval_seed}, {"ridge", c.ridge}, {"late_positions", c.late_positions},
      {"state_dim", d.state_dim}, {"hidden_dim", d.hidden_dim}, {"mlp_dim", d.mlp_dim}, {"length", d.length},
      {"observation_var", d.observation_var}, {"mlp_var_over_fan_in", d.mlp_var}, {"process_noise_var", d.process_noise_var},
      {"observation_noise_var", d.observation_noise_var}};
  return j.dump(2);
}

DynamicsTrainConfig dynamics_config_from_json_text(const std::string& text, const std::string& source) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw InputError(source + ": not JSON");
  auto get = [&](const char* key, auto& field) {
    if (!j.contains(key)) throw InputError(source + ": missing key '" + key + "'");
    try {
      j.at(key).get_to(field);
    } catch (const nlohmann::json::exception&) {
      throw InputError(source + ": key '" + std::string(key) + "' has the wrong type");
    }
  };
  TrainConfig t;
  get("task", t.task);
  DynamicsTrainConfig c;
  c.dynamics = DynamicsConfig::preset(t.task);
  DynamicsConfig& d = c.dynamics;
  get("model", t.model), get("layers", t.layers), get("heads", t.heads), get("init_std", t.init_std), get("optimizer", t.optimizer);
  get("lr", t.lr), get("beta1", t.beta1), get("beta2", t.beta2), get("adam_eps", t.adam_eps), get("weight_decay", t.weight_decay);
  get("clip_norm", t.clip_norm), get("warmup_steps", t.warmup_steps), get("cosine", t.cosine), get("steps", t.steps);
  get("batch", t.batch), get("eval_every", t.eval_every), get("eval_sequences", t.eval_tasks), get("seed", t.seed);
  get("eval_seed", t.eval_seed), get("ridge", c.ridge), get("late_positions", c.late_positions);
  get("state_dim", d.state_dim), get("hidden_dim", d.hidden_dim), get("mlp_dim", d.mlp_dim), get("length", d.length);
  get("observation_var", d.observation_var), get("mlp_var_over_fan_in", d.mlp_var), get("process_noise_var", d.process_noise_var);
  get("observation_noise_var", d.observation_noise_var);
  c.training = t;
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

DynamicsTrainResult train_dynamics(const DynamicsTrainConfig& config, const std::string& out_dir, int threads, bool progress) {
  config.validate();
  if (out_dir.empty()) throw InputError("icl train: --out DIR is required");
  if (threads <= 0) throw InputError("icl train: threads must be > 0");
  const fs::path dir(out_dir), run_path = dir / "run.json";
  if (fs::exists(run_path)) throw InputError(run_path.string() + " exists: dynamics runs do not resume; use a fresh --out directory");
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw InputError("cannot create " + out_dir + ": " + error.message());
  at::set_num_threads(threads);
  nlohmann::json run = {{"config", nlohmann::json::parse(to_json_text(config))}, {"libtorch", TORCH_VERSION}, {"threads", threads}};
  write_file_atomically(run_path.string(), run.dump(2) + "\n");
  const auto start_time = std::chrono::steady_clock::now();

  const TrainConfig& t = config.training;
  const CausalStack model = initial_model(config);
  const std::vector<at::Tensor> parameters = model.parameters();
  for (const at::Tensor& p : parameters) p.requires_grad_(true);
  const double initial_loss = [&] {
    c10::NoGradGuard no_grad;
    return training_loss(model, config, 0).item<double>();
  }();
  const std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(t, parameters);
  const DynamicsSequences eval_set = sample_dynamics(config.dynamics, t.eval_tasks, t.eval_seed);
  std::ofstream lines(dir / "metrics.jsonl", std::ios::binary | std::ios::trunc);
  std::unique_ptr<Progress> bar = progress ? std::make_unique<Progress>("icl train", static_cast<size_t>(t.steps)) : nullptr;

  DynamicsTrainResult result;
  for (int64_t step = 0;; ++step) {
    const at::Tensor loss = training_loss(model, config, step);
    const double value = loss.item<double>();
    if (!std::isfinite(value) || value > kDivergenceFactor * initial_loss)
      throw ComputationError("icl train: diverged at step " + std::to_string(step) + " (training loss " + std::to_string(value) + ", initial " +
                             std::to_string(initial_loss) + ")");
    const bool last = step == t.steps;
    if (step % t.eval_every == 0 || last) {
      const DynamicsMetrics metrics = evaluate_dynamics(model, eval_set, config.ridge, config.late_positions);
      const std::string line = metrics_json(step, value, metrics).dump();
      lines << line << "\n" << std::flush;
      if (progress)
        std::fprintf(stderr, "icl train: step %lld  train %.5f  eval %.5f  late %.5f  (copy-last %.5f, least squares %.5f)\n",
                     static_cast<long long>(step), value, metrics.eval_loss, metrics.late_loss, metrics.copy_last_late_loss,
                     metrics.least_squares_late_loss);
      if (last) {
        save_weights(dir / "weights.pt", model);
        write_file_atomically((dir / "metrics.json").string(), line + "\n");
        result.step = step, result.final_metrics = metrics;
        break;
      }
    }
    optimizer->zero_grad();
    loss.backward();
    if (t.clip_norm > 0) clip_gradients(parameters, t.clip_norm);
    set_learning_rate(*optimizer, t.learning_rate(step));
    optimizer->step();
    if (bar) bar->advance();
  }
  if (bar) bar->finish();
  if (!lines) throw InputError("cannot write " + (dir / "metrics.jsonl").string());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  run["seconds"] = result.seconds, run["steps"] = result.step;
  write_file_atomically(run_path.string(), run.dump(2) + "\n");
  return result;
}

DynamicsRun load_dynamics_run(const std::string& dir) {
  const fs::path run_path = fs::path(dir) / "run.json", weights = fs::path(dir) / "weights.pt";
  if (!fs::exists(run_path) || !fs::exists(weights)) throw InputError(dir + " holds no finished dynamics run (run.json and weights.pt)");
  const nlohmann::json run = nlohmann::json::parse(read_file(run_path.string()), nullptr, false);
  if (run.is_discarded() || !run.contains("config")) throw InputError(run_path.string() + ": no \"config\" object");
  DynamicsTrainConfig config = dynamics_config_from_json_text(run["config"].dump(), run_path.string());
  CausalStack model = initial_model(config);
  load_weights(weights, model);
  for (const at::Tensor& p : model.parameters()) p.requires_grad_(false);
  return {std::move(config), std::move(model)};
}

}  // namespace oh::icl
