#pragma once
// Training an LSA stack on in-context linear regression (DESIGN §7) into a run directory (run_loop.h:
// run.json, metrics.jsonl, metrics.json, checkpoint.pt/.json; resumes; exit 3 on divergence), with
// metrics.jsonl lines of alignment_metrics.h.
#include <cstdint>
#include <string>

#include "icl/alignment_metrics.h"
#include "icl/lsa_model.h"
#include "icl/run_loop.h"
#include "icl/train_config.h"

namespace oh::icl {

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
