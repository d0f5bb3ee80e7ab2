// The one translation unit of the lab's training runs that includes libtorch's optimizer and
// serialization headers (with optimizer.cpp).
#include "icl/run_loop.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>

#include <cassert>
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

namespace oh::icl {
namespace {

namespace fs = std::filesystem;

constexpr double kDivergenceFactor = 10.0;

struct RunPaths {
  explicit RunPaths(const std::string& dir)
      : run(fs::path(dir) / "run.json"), metrics_lines(fs::path(dir) / "metrics.jsonl"), metrics(fs::path(dir) / "metrics.json"),
        checkpoint(fs::path(dir) / "checkpoint.pt"), checkpoint_info(fs::path(dir) / "checkpoint.json") {}
  fs::path run, metrics_lines, metrics, checkpoint, checkpoint_info;
};

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

/// Loads the checkpoint into `parameters` (and `optimizer` when given); returns its step.
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
void record_config(const RunPaths& paths, const std::string& config_json) {
  const nlohmann::json wanted = nlohmann::json::parse(config_json);
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
void record_session(const RunPaths& paths, const LoopResult& result, int threads) {
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

/// Marks the last checkpoint as the last good one and throws the divergence.
[[noreturn]] void diverged(const RunPaths& paths, const std::string& command, int64_t step, double loss, double initial_loss) {
  std::string last_good = "none (it diverged before the first checkpoint)";
  if (fs::exists(paths.checkpoint_info)) {
    const nlohmann::json info = nlohmann::json::parse(read_file(paths.checkpoint_info.string()));
    const nlohmann::json marked = {{"step", info["step"]}, {"status", "last_good"}, {"diverged_at_step", step},
                                   {"diverged_loss", std::isfinite(loss) ? nlohmann::json(loss) : nlohmann::json("non-finite")},
                                   {"initial_loss", initial_loss}};
    write_file_atomically(paths.checkpoint_info.string(), marked.dump() + "\n");
    last_good = paths.checkpoint.string() + " at step " + info["step"].dump();
  }
  throw ComputationError(command + ": diverged at step " + std::to_string(step) + " (training loss " + std::to_string(loss) +
                         ", initial " + std::to_string(initial_loss) + "); last good checkpoint: " + last_good);
}

}  // namespace

LoopResult run_training_loop(const TrainingLoop& loop, const TrainOptions& options) {
  assert(loop.schedule && loop.loss && loop.evaluate);
  const TrainConfig& schedule = *loop.schedule;
  if (options.out_dir.empty()) throw InputError(loop.command + ": --out DIR is required");
  if (options.threads <= 0) throw InputError(loop.command + ": threads must be > 0");
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) throw InputError("cannot create " + options.out_dir + ": " + error.message());
  const RunPaths paths(options.out_dir);
  at::set_num_threads(options.threads);
  record_config(paths, loop.config_json);
  const auto start_time = std::chrono::steady_clock::now();

  for (const at::Tensor& p : loop.parameters) p.requires_grad_(true);
  const double initial_loss = [&] {
    c10::NoGradGuard no_grad;  // the divergence reference: the initial model on step 0's batch
    return loop.loss(0).item<double>();
  }();
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(schedule, loop.parameters);

  LoopResult result;
  int64_t step = 0;
  if (fs::exists(paths.checkpoint)) {
    step = load_checkpoint(paths, loop.parameters, optimizer.get());
    result.resumed_from = step;
    if (options.progress)
      std::fprintf(stderr, "%s: resuming %s from step %lld\n", loop.command.c_str(), options.out_dir.c_str(), static_cast<long long>(step));
  }
  truncate_metrics_lines(paths, step);

  std::unique_ptr<Progress> progress =
      options.progress ? std::make_unique<Progress>(loop.command, static_cast<size_t>(schedule.steps - step)) : nullptr;
  const int64_t session_start = step;
  for (;; ++step) {
    const at::Tensor loss = loop.loss(step);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value) || loss_value > kDivergenceFactor * initial_loss)
      diverged(paths, loop.command, step, loss_value, initial_loss);
    const bool last = step == schedule.steps;
    if (step % schedule.eval_every == 0 || last) {
      const LoopEvaluation evaluation = loop.evaluate(step, loss_value);
      append_line(paths.metrics_lines, evaluation.json_line);
      save_checkpoint(paths, step, loop.parameters, *optimizer);
      if (options.progress) std::fprintf(stderr, "%s: step %lld  %s\n", loop.command.c_str(), static_cast<long long>(step), evaluation.progress_text.c_str());
      if (last) {
        write_file_atomically(paths.metrics.string(), evaluation.json_line + "\n");
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
    if (schedule.clip_norm > 0) clip_gradients(loop.parameters, schedule.clip_norm);
    set_learning_rate(*optimizer, schedule.learning_rate(step));
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

std::string recorded_config(const std::string& dir) {
  const RunPaths paths(dir);
  if (!fs::exists(paths.run) || !fs::exists(paths.checkpoint)) throw InputError(dir + " holds no icl training run (run.json and checkpoint.pt)");
  const nlohmann::json run = nlohmann::json::parse(read_file(paths.run.string()), nullptr, false);
  if (run.is_discarded() || !run.contains("config")) throw InputError(paths.run.string() + ": no \"config\" object");
  return run["config"].dump();
}

int64_t load_checkpoint_parameters(const std::string& dir, const std::vector<at::Tensor>& parameters) {
  const RunPaths paths(dir);
  if (!fs::exists(paths.checkpoint)) throw InputError(dir + " holds no checkpoint.pt");
  return load_checkpoint(paths, parameters, nullptr);
}

}  // namespace oh::icl
