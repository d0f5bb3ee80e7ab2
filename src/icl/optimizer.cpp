#include "icl/optimizer.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include <cmath>

namespace oh::icl {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, const std::vector<at::Tensor>& parameters) {
  if (c.optimizer == "adamw")
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.adam_eps).weight_decay(c.weight_decay));
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.adam_eps).weight_decay(c.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

void clip_gradients(const std::vector<at::Tensor>& parameters, double max_norm) {
  double squared = 0;
  for (const at::Tensor& p : parameters)
    if (p.grad().defined()) squared += p.grad().to(at::kDouble).pow(2).sum().item<double>();
  const double norm = std::sqrt(squared);
  if (norm > max_norm)
    for (const at::Tensor& p : parameters)
      if (p.grad().defined()) p.grad().mul_(max_norm / (norm + 1e-6));
}

}  // namespace oh::icl
