#pragma once
// The one loss every analysis reports: ½ MSE of an LSA stack's prediction for the query of each
// task (its query token is (x_test, 0)), computed without autograd.
#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"

namespace oh::icl::analysis {

double model_loss(const LsaModel& model, const LinearTasks& tasks);

}  // namespace oh::icl::analysis
