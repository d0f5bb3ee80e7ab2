#include "icl/analysis/run_set.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::icl::analysis {
namespace fs = std::filesystem;

std::vector<TrainingPoint> read_training_history(const std::string& dir) {
  const fs::path path = fs::path(dir) / "metrics.jsonl";
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("icl analysis: cannot read {}", path.string()));
  std::vector<TrainingPoint> history;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      TrainingPoint p;
      p.step = j.at("step").get<int64_t>();
      p.train_loss = j.at("train_loss").get<double>();
      p.eval_loss = j.at("eval_loss").get<double>();
      p.gd_loss = j.at("gd_loss").get<double>();
      p.gd_eta = j.at("gd_eta").get<double>();
      p.preds_diff = j.at("preds_diff").get<double>();
      p.model_diff = j.at("model_diff").get<double>();
      p.model_cos = j.at("model_cos").get<double>();
      history.push_back(p);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(fmt::format("icl analysis: {} line {}: {}", path.string(), line_number, e.what()));
    }
  }
  if (history.empty()) throw InputError(fmt::format("icl analysis: {} holds no evaluation", path.string()));
  return history;
}

namespace {

// The settings that decide which tasks a run was evaluated on, by name.
std::vector<std::pair<std::string, std::string>> evaluation_identity(const TrainConfig& c) {
  const LinearTaskConfig& t = c.task_config;
  return {{"task", c.task},
          {"d", std::to_string(t.input_dim)},
          {"n_context", std::to_string(t.context_size)},
          {"x_low", fmt::format("{}", t.x_low)},
          {"x_high", fmt::format("{}", t.x_high)},
          {"teacher_scale", fmt::format("{}", t.teacher_scale)},
          {"noise", fmt::format("{}", t.noise_std)},
          {"eval_seed", std::to_string(c.eval_seed)},
          {"eval_tasks", std::to_string(c.eval_tasks)},
          {"line_search_seed", std::to_string(c.line_search_seed)},
          {"line_search_tasks", std::to_string(c.line_search_tasks)}};
}

}  // namespace

std::vector<AnalysisRun> load_runs(const std::vector<std::string>& dirs) {
  if (dirs.empty()) throw InputError("icl analysis: no run given (--run DIR)");
  std::vector<AnalysisRun> runs;
  for (const std::string& dir : dirs) {
    AnalysisRun run{dir, load_trained_run(dir), read_training_history(dir)};
    if (!runs.empty()) {
      const auto first = evaluation_identity(runs.front().trained.config);
      const auto here = evaluation_identity(run.trained.config);
      for (size_t i = 0; i < first.size(); ++i) {
        if (first[i].second != here[i].second)
          throw InputError(fmt::format("icl analysis: runs {} and {} were evaluated on different tasks: {} = {} vs {}",
                                       runs.front().dir, dir, first[i].first, first[i].second, here[i].second));
      }
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

LinearTasks eval_tasks(const TrainConfig& config, int64_t count, int64_t context_size) {
  LinearTaskConfig task = config.task_config;
  if (context_size > 0) task.context_size = context_size;
  return sample_linear_tasks(task, count, config.eval_seed);
}

LinearTasks line_search_tasks(const TrainConfig& config, int64_t count) {
  return sample_linear_tasks(config.task_config, count, config.line_search_seed);
}

}  // namespace oh::icl::analysis
