// Training an LSA stack on in-context linear regression through the shared run loop.
#include "icl/training.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdio>

#include "icl/linear_tasks.h"
#include "icl/run_evaluation.h"

namespace oh::icl {
namespace {

constexpr uint64_t kInitStream = 0;  // training batch of step s: stream s + 1

LsaConfig model_config(const TrainConfig& c) {
  LsaConfig m;
  m.token_dim = c.task_config.token_dim();
  m.layers = c.layers;
  m.heads = c.heads;
  m.key_dim = c.head_dim();
  m.shared_weights = c.shared_weights;
  return m;
}

LsaModel initial_model(const TrainConfig& c) { return LsaModel::random(model_config(c), c.init_std, derive_seed(c.seed, kInitStream)); }

at::Tensor training_loss(const LsaModel& model, const TrainConfig& c, int64_t step) {
  const LinearTasks batch = sample_linear_tasks(c.task_config, c.batch, derive_seed(c.seed, static_cast<uint64_t>(step) + 1));
  return 0.5 * (model.forward(make_tokens(batch)) - batch.y_test).pow(2).mean();
}

}  // namespace

TrainResult train_icl(const TrainConfig& config, const TrainOptions& options) {
  config.validate();
  const LsaModel model = initial_model(config);
  const RunEvaluator evaluator(config);
  TrainResult result;
  result.eta = evaluator.eta();

  TrainingLoop loop;
  loop.command = "icl train";
  loop.schedule = &config;
  loop.config_json = to_json_text(config);
  loop.parameters = model.parameters();
  loop.loss = [&](int64_t step) { return training_loss(model, config, step); };
  loop.evaluate = [&](int64_t step, double train_loss) {
    result.final_metrics = evaluator.evaluate(model);
    const AlignmentMetrics& m = result.final_metrics;
    char text[160];
    std::snprintf(text, sizeof text, "train %.5f  eval %.5f  gd %.5f  ratio %.4f  cos %.5f", train_loss, m.eval_loss, m.gd_loss,
                  m.loss_ratio, m.model_cos);
    return LoopEvaluation{metrics_json_text(step, train_loss, config.learning_rate(std::min(step, config.steps - 1)), result.eta, m), text};
  };
  static_cast<LoopResult&>(result) = run_training_loop(loop, options);
  return result;
}

TrainedRun load_trained_run(const std::string& dir) {
  const TrainConfig config = train_config_from_json_text(recorded_config(dir), dir + "/run.json");
  const LsaModel model = initial_model(config);
  const int64_t step = load_checkpoint_parameters(dir, model.parameters());
  return {config, model, step};
}

}  // namespace oh::icl
