#pragma once
// The optimiser side that every training loop of the lab shares: Adam or AdamW from a TrainConfig,
// the learning rate of each step, and global-norm gradient clipping.
#include <ATen/core/Tensor.h>

#include <memory>
#include <vector>

#include "icl/train_config.h"

namespace torch::optim {
class Optimizer;  // <torch/optim/optimizer.h>: included by the training loops only
}

namespace oh::icl {

/// Adam (L2 weight decay) or AdamW (decoupled) with the config's lr, betas, eps and weight decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& config, const std::vector<at::Tensor>& parameters);

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

/// Scales the gradients so that their global L2 norm is at most `max_norm` (parameters without a
/// gradient are skipped).
void clip_gradients(const std::vector<at::Tensor>& parameters, double max_norm);

}  // namespace oh::icl
