// Time per training step of DESIGN §7's default LSA recipe (TrainConfig's defaults: d = N = 10,
// batch 2048, Adam, constant lr), with LsaModel's fused readout on and off. A step is what
// `icl train` does: sample the seeded batch, forward, loss, zero_grad, backward, Adam step. Also
// times the model part alone (forward + backward + Adam on a batch sampled beforehand). Prints one
// JSON document: per mode the median and fastest milliseconds and the per-step losses, so that
// bench/icl_lsa_step.py can compare them with Python's.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "icl/linear_tasks.h"
#include "icl/lsa_model.h"
#include "icl/train_config.h"

namespace {

using namespace oh::icl;

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

nlohmann::json summary(std::vector<double> times) {
  std::sort(times.begin(), times.end());
  return {{"median_ms", times[times.size() / 2]}, {"fastest_ms", times.front()}};
}

/// `steps` training steps from the recipe's initial model; `presampled` times only the model part.
nlohmann::json run(const TrainConfig& c, bool fused, bool presampled, int steps) {
  LsaConfig m;
  m.token_dim = c.task_config.token_dim();
  m.layers = c.layers;
  m.heads = c.heads;
  m.key_dim = c.head_dim();
  m.fused_readout = fused;
  const LsaModel model = LsaModel::random(m, c.init_std, derive_seed(c.seed, 0));  // training.cpp's init stream
  std::vector<at::Tensor> parameters = model.parameters();
  for (at::Tensor& p : parameters) p.set_requires_grad(true);
  torch::optim::Adam adam(parameters, torch::optim::AdamOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.adam_eps));
  std::vector<LinearTasks> batches;
  if (presampled)
    for (int s = 0; s < steps; ++s) batches.push_back(sample_linear_tasks(c.task_config, c.batch, derive_seed(c.seed, s + 1)));
  std::vector<double> times, losses;
  for (int s = 0; s < steps; ++s) {
    const auto start = std::chrono::steady_clock::now();
    const LinearTasks batch = presampled ? batches[s] : sample_linear_tasks(c.task_config, c.batch, derive_seed(c.seed, s + 1));
    const at::Tensor loss = 0.5 * (model.forward(make_tokens(batch)) - batch.y_test).pow(2).mean();
    adam.zero_grad();
    loss.backward();
    adam.step();
    times.push_back(milliseconds_since(start));
    losses.push_back(loss.item<double>());  // after the clock: the Python loop syncs likewise outside it
  }
  nlohmann::json result = summary(times);
  result["losses"] = losses;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Time per LSA training step, fused readout against op by op (prints JSON)"};
  int steps = 100, threads = 1;
  app.add_option("--steps", steps, "training steps per mode (the losses cover them all)")->check(CLI::Range(1, 100000));
  app.add_option("--threads", threads, "intra-op threads")->check(CLI::Range(1, 1024));
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);
  const TrainConfig c;
  nlohmann::json out = {{"threads", at::get_num_threads()}, {"batch", c.batch}, {"steps", steps}};
  for (const bool presampled : {false, true})
    for (const bool fused : {true, false})
      out[std::string(fused ? "fused" : "ops") + (presampled ? "_model_only" : "_step")] = run(c, fused, presampled, steps);
  std::printf("%s\n", out.dump().c_str());
}
