#pragma once
// Trained runs loaded for analysis: each run's latest model and its metrics.jsonl history. Runs
// analysed together must have been evaluated on the same tasks (task distribution, eval and
// line-search seeds and counts), or their numbers could not be set side by side.
#include <cstdint>
#include <string>
#include <vector>

#include "icl/linear_tasks.h"
#include "icl/training.h"

namespace oh::icl::analysis {

/// One line of DIR/metrics.jsonl.
struct TrainingPoint {
  int64_t step = 0;
  double train_loss = 0, eval_loss = 0, gd_loss = 0, gd_eta = 0;
  double preds_diff = 0, model_diff = 0, model_cos = 0;
};

struct AnalysisRun {
  std::string dir;
  TrainedRun trained;
  std::vector<TrainingPoint> history;  // in file order (ascending steps)
};

/// DIR/metrics.jsonl; InputError naming the file and line when it is missing or malformed.
std::vector<TrainingPoint> read_training_history(const std::string& dir);

/// Loads every run; InputError when none is given, one is missing, or two disagree on the tasks
/// they were evaluated on (the message names both runs and the first differing setting).
std::vector<AnalysisRun> load_runs(const std::vector<std::string>& dirs);

/// `count` tasks of the runs' own eval distribution and seed, with another context size when
/// context_size > 0 (the eval seed is kept, so every analysis draws the same tasks at a given N).
LinearTasks eval_tasks(const TrainConfig& config, int64_t count, int64_t context_size = 0);

/// `count` tasks from the runs' line-search seed (for tuning GD and GD++ step sizes).
LinearTasks line_search_tasks(const TrainConfig& config, int64_t count);

}  // namespace oh::icl::analysis
