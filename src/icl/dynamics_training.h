#pragma once
// Next-token training of causal stacks on linear dynamical systems (DESIGN §7, the mesa-optimization
// paper's setting): tokens [0, s_t, s_{t−1}], the model's first n_s outputs at position t predict
// s_{t+1}, loss ½ mean ‖ŝ_{t+1} − s_{t+1}‖² over sequences and every position that has a target.
// Runs live in a run directory like linear-regression runs (run_loop.h: run.json, metrics.jsonl,
// metrics.json, checkpoint.pt/.json; resume; exit 3 on divergence).
#include <cstdint>
#include <string>

#include "icl/causal_stack.h"
#include "icl/dynamics_tasks.h"
#include "icl/run_loop.h"
#include "icl/train_config.h"

namespace oh::icl {

struct DynamicsTrainConfig {
  // Model and optimisation settings shared with linear-regression runs: task, model (a stack string,
  // see make_stack_config), layers, heads, init_std, optimizer, lr, betas, eps, weight decay, clipping,
  // warm-up, cosine, steps, batch, eval_every, eval_tasks (= eval sequences), seed, eval_seed.
  TrainConfig training;
  DynamicsConfig dynamics;
  double ridge = 0.1;      // least-squares baseline: prior variance 1/n_s of W*'s entries over σ² = 0.01
  int64_t late_positions = 10;  // "late t": the last this many predicted positions

  /// From `icl train`'s settings for a dynamics task; InputError for impossible settings.
  static DynamicsTrainConfig from(const TrainConfig& training);
  void validate() const;
  StackConfig stack_config() const;
};

std::string to_json_text(const DynamicsTrainConfig& config);
DynamicsTrainConfig dynamics_config_from_json_text(const std::string& text, const std::string& source);

struct DynamicsMetrics {
  int64_t sequences = 0;
  double eval_loss = 0, late_loss = 0;               // the model: all positions, the late ones
  double copy_last_loss = 0, copy_last_late_loss = 0;  // ŝ_{t+1} = s_t
  double least_squares_loss = 0, least_squares_late_loss = 0;  // ridge on the context so far
};

/// The model against both baselines on `sequences` (no autograd).
DynamicsMetrics evaluate_dynamics(const CausalStack& model, const DynamicsSequences& sequences, double ridge, int64_t late_positions);

struct DynamicsTrainResult : LoopResult {
  DynamicsMetrics final_metrics;  // the last evaluation
};

DynamicsTrainResult train_dynamics(const DynamicsTrainConfig& config, const TrainOptions& options);

struct DynamicsRun {
  DynamicsTrainConfig config;
  CausalStack model;
};

/// The trained model of DIR; InputError when DIR holds no dynamics run.
DynamicsRun load_dynamics_run(const std::string& dir);

}  // namespace oh::icl
