#pragma once
// Non-linear in-context regression (von Oswald et al. 2023, §4): an MLP φ embeds every input x (the
// same φ for all tokens), one LSA layer reads the tokens (φ(x_i), y_i) and the query (φ(x_test), 0)
// and predicts ŷ = −(y-entry of the query). After training, the paper's comparison: the model against
// one GD step (line-searched η) and against least squares, both run on the model's own learned
// features of the same eval tasks; and a second model with the same MLP trained end to end through one
// explicit GD step instead of the LSA layer ("GD on learned features", our reading of the paper's §4
// figure: the trained Transformer against GD with a meta-learned embedding).
// Our choices where the paper is silent: φ = 1 → H → H → F with GELU (H = 64, F = 8 < N so that least
// squares on the features is overdetermined); first-layer weights N(0, 1) and biases N(0, 2.5²) so the
// GELU kinks spread over x ∈ [−5, 5]; later layers N(0, 1/fan-in), biases 0; LSA init std 0.0135.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "icl/alignment_metrics.h"
#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"
#include "icl/sine_tasks.h"

namespace oh::icl {

struct SineTrainConfig {
  SineTaskConfig task;
  int64_t hidden_dim = 64;   // H
  int64_t feature_dim = 8;   // F
  double lsa_init_std = 0.0135;
  double lr = 1e-3;          // Adam, β = (0.9, 0.98) as the linear runs
  int64_t steps = 3000;
  int64_t batch = 256;
  int64_t eval_tasks = 2000;
  int64_t line_search_tasks = 2000;
  uint64_t seed = 0;             // initial weights and training batches
  uint64_t eval_seed = 1;        // the fixed eval set
  uint64_t line_search_seed = 2; // the set GD's η is line-searched on (through the learned features)

  /// InputError naming the first impossible setting.
  void validate() const;
};

/// What reads the embedded tokens: a trained LSA layer, or one GD step from 0 with η = 1 (a learned
/// η would only rescale φ, which the MLP learns anyway).
enum class SineReadout { lsa, gd_step };

class SineRegressionModel {
 public:
  SineRegressionModel(const SineTrainConfig& config, uint64_t seed, SineReadout readout = SineReadout::lsa);

  /// φ(x) for inputs [..., 1] → [..., F].
  at::Tensor features(const at::Tensor& x) const;
  /// The tasks seen through φ: a linear-regression problem on the features (its teacher w is NaN:
  /// no linear teacher exists, and the baselines never read it).
  LinearTasks feature_tasks(const SineTasks& tasks) const;
  /// ŷ [b].
  at::Tensor predict(const SineTasks& tasks) const;
  const LsaModel& lsa() const { return lsa_; }
  SineReadout readout() const { return readout_; }
  /// The MLP's weights, then the LSA layer's when it is the readout.
  std::vector<at::Tensor> parameters() const;

 private:
  SineReadout readout_;
  at::Tensor w1_, b1_, w2_, b2_, w3_, b3_;
  LsaModel lsa_;
};

struct SineMetrics {
  int64_t tasks = 0;
  double zero_loss = 0;           // ½ mean y_test²: the predictor ŷ = 0
  double gd_eta = 0;              // line-searched on the features of the line-search set
  AlignmentMetrics on_features;   // the model against 1-step GD on its learned features, same tasks
  double least_squares_loss = 0;  // least squares on the learned features
  double learned_gd_loss = 0;     // the GD-step readout model, trained with the same seed and recipe
};

/// ½ MSE of a model of either readout on `tasks`.
double sine_loss(const SineRegressionModel& model, const SineTasks& tasks);

struct SineTrainResult {
  SineRegressionModel model;  // the trained weights (no autograd history)
  std::vector<std::pair<int64_t, double>> train_curve;  // (step, training loss) every 100 steps and at the end
  std::vector<std::pair<int64_t, double>> gd_train_curve;  // the same for the GD-step model
  SineMetrics metrics;
  double seconds = 0;
};

/// Trains the LSA model and the GD-step model from config.seed with Adam on ½ MSE, one fresh seeded
/// batch per step, and evaluates both on the fixed eval set; progress on stderr.
SineTrainResult train_sine(const SineTrainConfig& config, bool progress);

/// The metrics.json document: the config, the training curve and the final metrics.
std::string sine_metrics_json_text(const SineTrainConfig& config, const SineTrainResult& result);

}  // namespace oh::icl
