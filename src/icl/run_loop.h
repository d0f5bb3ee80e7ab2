#pragma once
// The training loop every lab run shares, whatever its task family (linear regression, dynamics): the
// run directory, checkpoints, resume and divergence (DESIGN §7). A run directory holds
//   run.json        "config" (a rerun with the same DIR must record the same, and resumes), the libtorch
//                   version, and each session's steps, seconds and threads
//   metrics.jsonl   one line per evaluation (every eval_every steps and at the end)
//   metrics.json    the final evaluation
//   checkpoint.pt   parameters + optimizer state + step, replaced atomically at each evaluation;
//   checkpoint.json its step and status ("ok", or "last_good" after a divergence)
// A family draws the batch of step s from a generator seeded by (seed, s), so a run resumed from a
// checkpoint continues exactly as the uninterrupted run would (same thread count).
// Divergence (a non-finite training loss, or one above 10× the initial model's on step 0's batch)
// throws ComputationError after marking the last checkpoint as the last good one.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "icl/train_config.h"

namespace oh::icl {

struct TrainOptions {
  std::string out_dir;
  int threads = 1;               // libtorch intra-op threads (1 is fastest for these small ops here)
  int64_t stop_after_steps = 0;  // end this session after this many updates, as a crash would; 0 = run to the end
  bool progress = true;          // progress and evaluations on stderr
};

/// One evaluation: its metrics.jsonl line (a JSON object) and a line for the progress log.
struct LoopEvaluation {
  std::string json_line;
  std::string progress_text;
};

/// What a task family gives the loop.
struct TrainingLoop {
  std::string command;        // names the run in messages ("icl train")
  const TrainConfig* schedule = nullptr;  // optimizer, learning-rate schedule, steps, eval_every, clipping
  std::string config_json;    // run.json's "config"
  std::vector<at::Tensor> parameters;  // at their initial values
  std::function<at::Tensor(int64_t step)> loss;  // the training loss on step's batch (with autograd)
  std::function<LoopEvaluation(int64_t step, double train_loss)> evaluate;  // the model now, on the fixed eval set
};

struct LoopResult {
  bool finished = false;      // false when stop_after_steps ended the session early
  int64_t resumed_from = -1;  // the checkpoint step continued from, or -1
  int64_t step = 0;
  double seconds = 0;
};

/// Trains `loop.parameters` in place into options.out_dir, resuming from its checkpoint when there is one.
LoopResult run_training_loop(const TrainingLoop& loop, const TrainOptions& options);

/// run.json's "config" of DIR as JSON text; InputError when DIR holds no run (run.json and checkpoint.pt).
std::string recorded_config(const std::string& dir);

/// Copies DIR's checkpointed parameters into `parameters` and returns the checkpoint's step; InputError
/// when the checkpoint is missing or does not fit them.
int64_t load_checkpoint_parameters(const std::string& dir, const std::vector<at::Tensor>& parameters);

}  // namespace oh::icl
