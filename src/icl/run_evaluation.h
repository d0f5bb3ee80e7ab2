#pragma once
// The fixed evaluation of a training run: GD's η line-searched on its own seeded task set, then the
// model and GD compared on the seeded eval set (the same tasks for every run of a config).
#include <cstdint>
#include <string>

#include "icl/alignment_metrics.h"
#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"
#include "icl/train_config.h"

namespace oh::icl {

class RunEvaluator {
 public:
  /// eval_tasks > 0 overrides the config's count (same seed, but another count draws another set).
  explicit RunEvaluator(const TrainConfig& config, int64_t eval_tasks = 0);

  double eta() const { return eta_; }
  int gd_steps() const { return gd_steps_; }
  AlignmentMetrics evaluate(const LsaModel& model) const;

 private:
  LinearTasks tasks_;
  double eta_;
  int gd_steps_;
};

/// One line of metrics.jsonl / the body of metrics.json (keys sorted).
std::string metrics_json_text(int64_t step, double train_loss, double lr, double eta, const AlignmentMetrics& metrics);

}  // namespace oh::icl
