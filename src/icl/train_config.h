#pragma once
// Everything that determines a training run (recorded in DIR/run.json; a resumed run must match it).
// Defaults are DESIGN §7's recipe.
#include <cstdint>
#include <string>

#include "icl/linear_tasks.h"

namespace oh::icl {

struct TrainConfig {
  std::string task = "linear";
  std::string model = "lsa";
  LinearTaskConfig task_config;
  int layers = 1;
  int heads = 1;
  int64_t attn_dim = 0;  // total key width over the heads, split evenly; 0 = heads × token dimension
  bool shared_weights = false;
  double init_std = 0.0135;

  std::string optimizer = "adam";  // or "adamw" (decoupled weight decay)
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.98, adam_eps = 1e-8, weight_decay = 0.0;
  double clip_norm = 0.0;   // global gradient-norm clip; 0 = off
  int64_t warmup_steps = 0; // linear warm-up from lr/warmup to lr
  bool cosine = false;      // cosine decay to 0 over the steps after warm-up
  int64_t steps = 2000;
  int64_t batch = 2048;

  int64_t eval_every = 100;
  int64_t eval_tasks = 10000;
  int64_t line_search_tasks = 10000;
  uint64_t seed = 0;               // model init and training batches
  uint64_t eval_seed = 1;          // the fixed eval set (shared by runs with different seeds)
  uint64_t line_search_seed = 2;   // the separate set GD's η is line-searched on

  /// InputError naming the first impossible setting.
  void validate() const;
  /// Key width of one head.
  int64_t head_dim() const { return attn_dim > 0 ? attn_dim / heads : task_config.token_dim(); }
  /// Learning rate for the update at `step` (0-based).
  double learning_rate(int64_t step) const;
};

/// Canonical JSON text (keys sorted) and its inverse (InputError naming a bad or missing key).
std::string to_json_text(const TrainConfig& config);
TrainConfig train_config_from_json_text(const std::string& text, const std::string& source);

}  // namespace oh::icl
