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

struct TrainResult : LoopResult {
  double eta = 0;  // GD's line-searched step size
  AlignmentMetrics final_metrics;  // the last evaluation
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
