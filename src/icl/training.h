#pragma once
// Training an LSA stack on in-context linear regression (DESIGN §7) into a run directory:
//   run.json        the config (a rerun with the same DIR must match it, and resumes), the libtorch
//                   version, and each session's steps, seconds and threads
//   metrics.jsonl   one line per evaluation (every eval_every steps and at the end)
//   metrics.json    the final evaluation
//   checkpoint.pt   weights + optimizer state + step, replaced atomically at each evaluation;
//   checkpoint.json its step and status ("ok", or "last_good" after a divergence)
// The batch of step s is drawn from a generator seeded by (seed, s), so a run resumed from a
// checkpoint continues exactly as the uninterrupted run would (same thread count).
// Divergence (a non-finite training loss, or one above 10× the initial model's) throws
// ComputationError after marking the last checkpoint as the last good one.
#include <cstdint>
#include <string>

#include "icl/alignment_metrics.h"
#include "icl/lsa_model.h"
#include "icl/train_config.h"

namespace oh::icl {

struct TrainOptions {
  std::string out_dir;
  int threads = 1;               // libtorch intra-op threads (1 is fastest for these small ops here)
  int64_t stop_after_steps = 0;  // end this session after this many updates, as a crash would; 0 = run to the end
  bool progress = true;          // progress and evaluations on stderr
};

struct TrainResult {
  bool finished = false;  // false when stop_after_steps ended the session early
  int64_t resumed_from = -1;  // the checkpoint step continued from, or -1
  int64_t step = 0;
  double eta = 0;  // GD's line-searched step size
  AlignmentMetrics final_metrics;
  double seconds = 0;
};

TrainResult train_icl(const TrainConfig& config, const TrainOptions& options);

struct TrainedRun {
  TrainConfig config;
  LsaModel model;
  int64_t step = 0;
};

/// The model of DIR's latest checkpoint; InputError when DIR holds no run.
TrainedRun load_trained_run(const std::string& dir);

}  // namespace oh::icl
