#include "icl/analysis/model_loss.h"

#include <ATen/ATen.h>

#include "icl/gd_baselines.h"

namespace oh::icl::analysis {

double model_loss(const LsaModel& model, const LinearTasks& tasks) {
  at::NoGradGuard no_grad;
  return half_mse(model.forward(make_tokens(tasks)), tasks.y_test);
}

}  // namespace oh::icl::analysis
