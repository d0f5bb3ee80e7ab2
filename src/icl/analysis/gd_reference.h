#pragma once
// The baselines a K-layer trained model is set against (von Oswald et al. 2023, loss against the
// number of layers): K steps of GD from 0 with η line-searched, and K layers of the GD++
// construction with (η, γ) searched, both tuned on the line-search tasks and evaluated on the eval
// tasks.
#include "icl/linear_tasks.h"

namespace oh::icl::analysis {

struct GdReferencePoint {
  int steps = 0;                        // K
  double gd_eta = 0, gd_loss = 0;       // ½ MSE on the eval tasks
  double gdpp_eta = 0, gdpp_gamma = 0, gdpp_loss = 0;
};

/// The baselines at K = steps (InputError for steps < 1).
GdReferencePoint gd_reference_point(const LinearTasks& search_tasks, const LinearTasks& eval_tasks, int steps);

/// GD++'s (η, γ) for K steps: golden-section over γ ∈ [0, 2 / mean eigenvalue of Σ x_i x_iᵀ], each γ with its best η by
/// golden-section over log η ∈ [log 1e-2, log 1e3] (the losses are unimodal there for the task
/// scales the lab uses). Returns {η, γ, loss on search_tasks}.
struct GdppTuning {
  double eta = 0, gamma = 0, loss = 0;
};
GdppTuning tune_gdpp(const LinearTasks& search_tasks, int steps);

}  // namespace oh::icl::analysis
