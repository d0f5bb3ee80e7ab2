#include "icl/run_evaluation.h"

#include <nlohmann/json.hpp>

#include "icl/gd_baselines.h"

namespace oh::icl {

RunEvaluator::RunEvaluator(const TrainConfig& config, int64_t eval_tasks)
    : tasks_(sample_linear_tasks(config.task_config, eval_tasks > 0 ? eval_tasks : config.eval_tasks, config.eval_seed)),
      gd_steps_(config.layers) {
  // K layers are compared with K steps of GD, whose η is tuned on tasks the evaluation never sees.
  const LinearTasks search = sample_linear_tasks(config.task_config, config.line_search_tasks, config.line_search_seed);
  eta_ = line_search_gd_eta(search, gd_steps_).eta;
}

AlignmentMetrics RunEvaluator::evaluate(const LsaModel& model) const { return compare_with_gd(model, tasks_, eta_, gd_steps_); }

std::string metrics_json_text(int64_t step, double train_loss, double lr, double eta, const AlignmentMetrics& m) {
  const nlohmann::json j = {{"step", step},          {"train_loss", train_loss}, {"lr", lr},
                            {"eval_tasks", m.tasks}, {"eval_loss", m.eval_loss}, {"gd_loss", m.gd_loss},
                            {"gd_eta", eta},         {"loss_ratio", m.loss_ratio}, {"preds_diff", m.preds_diff},
                            {"model_diff", m.model_diff}, {"model_cos", m.model_cos}};
  return j.dump();
}

}  // namespace oh::icl
