// The one translation unit of the lab that includes libtorch's optimizer and serialization headers.
#include "icl/training.h"

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
#include "icl/linear_tasks.h"
#include "icl/optimizer.h"
#include "icl/run_evaluation.h"

namespace oh::icl {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kInitStream = 0;  // training batch of step s: stream s + 1
constexpr double kDivergenceFactor = 10.0;

struct RunPaths {
  explicit RunPaths(const std::string& dir)
      : run(fs::path(dir) / "run.json"), metrics_lines(fs::path(dir) / "metrics.jsonl"), metrics(fs::path(dir) / "metrics.json"),
        checkpoint(fs::path(dir) / "checkpoint.pt"), checkpoint_info(fs::path(dir) / "checkpoint.json") {}
  fs::path run, metrics_lines, metrics, checkpoint, checkpoint_info;
};

LsaConfig model_config(const TrainConfig& c) {
  LsaConfig m;
  m.token_dim = c.task_config.token_dim();
  m.layers = c.layers;
  m.heads = c.heads;
  m.key_dim = c.head_dim();
  m.shared_weights = c.shared_weights;
  return m;
}

LsaModel initial_model(const TrainConfig& c) { return LsaModel::random(model_config(c), c.init_std, derive_seed(c.seed, kInitStream)); }

at::Tensor training_loss(const LsaModel& model, const TrainConfig& c, int64_t step) {
  const LinearTasks batch = sample_linear_tasks(c.task_config, c.batch, derive_seed(c.seed, static_cast<uint64_t>(step) + 1));
  return 0.5 * (model.forward(make_tokens(batch)) - batch.y_test).pow(2).mean();
}

void save_checkpoint(const RunPaths& paths, int64_t step, const std::vector<at::Tensor>& parameters, const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive, optimizer_archive;
  archive.write("step", at::scalar_tensor(step, at::kLong));
  for (size_t i = 0; i < parameters.size(); ++i) archive.write("param_" + std::to_string(i), parameters[i].detach());
  optimizer.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(paths.checkpoint.string(), bytes.str());
  write_file_atomically(paths.checkpoint_info.string(), nlohmann::json{{"step", step}, {"status", "ok"}}.dump() + "\n");
}

/// Loads DIR's checkpoint into `parameters` (and `optimizer` when given); returns its step.
int64_t load_checkpoint(const RunPaths& paths, const std::vector<at::Tensor>& parameters, torch::optim::Optimizer* optimizer) {
  torch::serialize::InputArchive archive;
  at::Tensor step;
  try {
    archive.load_from(paths.checkpoint.string());
    archive.read("step", step);
    c10::NoGradGuard no_grad;
    for (size_t i = 0; i < parameters.size(); ++i) {
      at::Tensor value;
      archive.read("param_" + std::to_string(i), value);
      if (value.sizes() != parameters[i].sizes()) throw InputError("parameter " + std::to_string(i) + " has another shape");
      parameters[i].copy_(value);
    }
    if (optimizer) {
      torch::serialize::InputArchive optimizer_archive;
      archive.read("optimizer", optimizer_archive);
      optimizer->load(optimizer_archive);
    }
  } catch (const c10::Error& e) {
    throw InputError(paths.checkpoint.string() + ": not a checkpoint of this run: " + e.what_without_backtrace());
  } catch (const InputError& e) {
    throw InputError(paths.checkpoint.string() + ": " + e.what());
  }
  return step.item<int64_t>();
}

/// Writes run.json, or checks that the one there records the same config.
void record_config(const RunPaths& paths, const TrainConfig& config) {
  const nlohmann::json wanted = nlohmann::json::parse(to_json_text(config));
  if (fs::exists(paths.run)) {
    const nlohmann::json recorded = nlohmann::json::parse(read_file(paths.run.string()), nullptr, false);
    if (recorded.is_discarded() || !recorded.contains("config") || recorded["config"] != wanted)
      throw InputError(paths.run.string() + " records another configuration: use a fresh --out directory to train a different run");
    return;
  }
  const nlohmann::json run = {{"config", wanted}, {"libtorch", TORCH_VERSION}, {"sessions", nlohmann::json::array()}};
  write_file_atomically(paths.run.string(), run.dump(2) + "\n");
}

/// Keeps the metrics lines of steps before `step` (later ones are recomputed after a resume).
void truncate_metrics_lines(const RunPaths& paths, int64_t step) {
  if (!fs::exists(paths.metrics_lines)) return;
  std::istringstream lines(read_file(paths.metrics_lines.string()));
  std::string kept, line;
  while (std::getline(lines, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.contains("step") && j["step"].get<int64_t>() < step) kept += line + "\n";
  }
  write_file_atomically(paths.metrics_lines.string(), kept);
}

/// Adds this session's timing to run.json (sessions: one per invocation, resumed or not).
void record_session(const RunPaths& paths, const TrainResult& result, int threads) {
  nlohmann::json run = nlohmann::json::parse(read_file(paths.run.string()));
  run["sessions"].push_back({{"resumed_from", result.resumed_from}, {"last_step", result.step}, {"finished", result.finished},
                             {"seconds", result.seconds}, {"threads", threads}});
  write_file_atomically(paths.run.string(), run.dump(2) + "\n");
}

void append_line(const fs::path& path, const std::string& line) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << line << "\n";
  out.flush();
  if (!out) throw InputError("cannot append to " + path.string());
}

}  // namespace

TrainResult train_icl(const TrainConfig& config, const TrainOptions& options) {
  config.validate();
  if (options.out_dir.empty()) throw InputError("icl train: --out DIR is required");
  if (options.threads <= 0) throw InputError("icl train: threads must be > 0");
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) throw InputError("cannot create " + options.out_dir + ": " + error.message());
  const RunPaths paths(options.out_dir);
  at::set_num_threads(options.threads);
  record_config(paths, config);
  const auto start_time = std::chrono::steady_clock::now();

  LsaModel model = initial_model(config);
  const std::vector<at::Tensor> parameters = model.parameters();
  for (const at::Tensor& p : parameters) p.requires_grad_(true);
  const double initial_loss = [&] {
    c10::NoGradGuard no_grad;  // the divergence reference: the initial model on step 0's batch
    return training_loss(model, config, 0).item<double>();
  }();
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(config, parameters);

  TrainResult result;
  int64_t step = 0;
  if (fs::exists(paths.checkpoint)) {
    step = load_checkpoint(paths, parameters, optimizer.get());
    result.resumed_from = step;
    if (options.progress) std::fprintf(stderr, "icl train: resuming %s from step %lld\n", options.out_dir.c_str(), static_cast<long long>(step));
  }
  truncate_metrics_lines(paths, step);
  const RunEvaluator evaluator(config);
  result.eta = evaluator.eta();

  std::unique_ptr<Progress> progress = options.progress ? std::make_unique<Progress>("icl train", static_cast<size_t>(config.steps - step)) : nullptr;
  const int64_t session_start = step;
  for (;; ++step) {
    const at::Tensor loss = training_loss(model, config, step);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value) || loss_value > kDivergenceFactor * initial_loss) {
      std::string last_good = "none (it diverged before the first checkpoint)";
      if (fs::exists(paths.checkpoint_info)) {
        const nlohmann::json info = nlohmann::json::parse(read_file(paths.checkpoint_info.string()));
        const nlohmann::json marked = {{"step", info["step"]}, {"status", "last_good"}, {"diverged_at_step", step},
                                       {"diverged_loss", std::isfinite(loss_value) ? nlohmann::json(loss_value) : nlohmann::json("non-finite")},
                                       {"initial_loss", initial_loss}};
        write_file_atomically(paths.checkpoint_info.string(), marked.dump() + "\n");
        last_good = paths.checkpoint.string() + " at step " + info["step"].dump();
      }
      throw ComputationError("icl train: diverged at step " + std::to_string(step) + " (training loss " + std::to_string(loss_value) +
                             ", initial " + std::to_string(initial_loss) + "); last good checkpoint: " + last_good);
    }
    const bool last = step == config.steps;
    if (step % config.eval_every == 0 || last) {
      const AlignmentMetrics metrics = evaluator.evaluate(model);
      const std::string line = metrics_json_text(step, loss_value, config.learning_rate(std::min(step, config.steps - 1)), result.eta, metrics);
      append_line(paths.metrics_lines, line);
      save_checkpoint(paths, step, parameters, *optimizer);
      if (options.progress)
        std::fprintf(stderr, "icl train: step %lld  train %.5f  eval %.5f  gd %.5f  ratio %.4f  cos %.5f\n", static_cast<long long>(step),
                     loss_value, metrics.eval_loss, metrics.gd_loss, metrics.loss_ratio, metrics.model_cos);
      if (last) {
        result.final_metrics = metrics;
        write_file_atomically(paths.metrics.string(), line + "\n");
        break;
      }
    }
    if (options.stop_after_steps > 0 && step - session_start == options.stop_after_steps) {
      result.step = step;
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
      record_session(paths, result, options.threads);
      return result;
    }
    optimizer->zero_grad();
    loss.backward();
    if (config.clip_norm > 0) clip_gradients(parameters, config.clip_norm);
    set_learning_rate(*optimizer, config.learning_rate(step));
    optimizer->step();
    if (progress) progress->advance();
  }
  if (progress) progress->finish();
  result.finished = true;
  result.step = step;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  record_session(paths, result, options.threads);
  return result;
}

TrainedRun load_trained_run(const std::string& dir) {
  const RunPaths paths(dir);
  if (!fs::exists(paths.run) || !fs::exists(paths.checkpoint)) throw InputError(dir + " holds no icl training run (run.json and checkpoint.pt)");
  const nlohmann::json run = nlohmann::json::parse(read_file(paths.run.string()), nullptr, false);
  if (run.is_discarded() || !run.contains("config")) throw InputError(paths.run.string() + ": no \"config\" object");
  const TrainConfig config = train_config_from_json_text(run["config"].dump(), paths.run.string());
  const LsaModel model = initial_model(config);
  const int64_t step = load_checkpoint(paths, model.parameters(), nullptr);
  return {config, model, step};
}

}  // namespace oh::icl
