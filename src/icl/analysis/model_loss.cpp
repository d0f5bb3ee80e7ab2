#include "icl/analysis/model_loss.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>

#include "icl/gd_baselines.h"

namespace oh::icl::analysis {

double model_loss(const LsaModel& model, const LinearTasks& tasks) {
  c10::NoGradGuard no_grad;
  return half_mse(model.forward(make_tokens(tasks)), tasks.y_test);
}

}  // namespace oh::icl::analysis
