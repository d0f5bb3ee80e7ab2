// Forward time of the mesa layer against sequence length (issue 4, item 11: the log-log slope over
// 256…4096 should lie in [0.9, 1.1], i.e. linear time). Prints one row per length (median and fastest
// of the repeats) and the least-squares slopes of log(time) against log(length) for both; the fastest
// run is the steadier estimate on a shared machine. --backward times forward + backward instead.
#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "hooks/hook_pass.h"
#include "icl/mesa/mesa_attention.h"

namespace {

using oh::icl::mesa::MesaAttention;
using oh::icl::mesa::MesaAttentionOptions;

struct Timing {
  double median, fastest;
};

Timing time_runs(MesaAttention& layer, const oh::hooks::HookPointRegistry& registry, const at::Tensor& x,
                int repeats, bool backward) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    oh::hooks::HookPass pass(registry);
    const auto start = std::chrono::steady_clock::now();
    if (backward) {
      layer->forward(x, pass).sum().backward();
    } else {
      c10::NoGradGuard no_grad;
      layer->forward(x, pass);
    }
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times.front()};
}

/// Least-squares slope of y against x.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < x.size(); ++i) mean_x += x[i] / n, mean_y += y[i] / n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
  }
  return sxx > 0 ? sxy / sxx : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mesa layer forward time against sequence length"};
  int64_t batch = 1, d_model = 16, heads = 1;
  int threads = 1, repeats = 5;
  uint64_t seed = 0;
  std::string solver = "sherman_morrison_fused";
  std::vector<int64_t> lengths{256, 512, 1024, 2048, 4096};
  bool backward = false;
  app.add_option("--batch", batch, "sequences per forward pass")->capture_default_str();
  app.add_option("--d-model", d_model, "model width")->capture_default_str();
  app.add_option("--heads", heads, "heads (must divide d-model)")->capture_default_str();
  app.add_option("--solver", solver, "sherman_morrison, sherman_morrison_fused, cholesky, conjugate_gradient")
      ->capture_default_str();
  app.add_option("--lengths", lengths, "sequence lengths")->capture_default_str();
  app.add_option("--threads", threads, "intra-op threads")->capture_default_str();
  app.add_option("--repeats", repeats, "timed runs per length")->capture_default_str();
  app.add_option("--seed", seed, "seed of the weights and inputs")->capture_default_str();
  app.add_flag("--backward", backward, "time forward + backward");
  CLI11_PARSE(app, argc, argv);

  at::set_num_threads(threads);
  MesaAttentionOptions options;
  options.d_model = d_model;
  options.heads = heads;
  options.init_std = 1.0 / std::sqrt(static_cast<double>(d_model));
  options.solver = oh::icl::mesa::mesa_solver_from_name(solver);
  oh::hooks::HookPointRegistry registry;
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  MesaAttention layer(options, registry, 0, generator);

  std::printf("# solver %s, batch %lld, d_model %lld, heads %lld, threads %d, %s, %d runs per length\n", solver.c_str(),
              static_cast<long long>(batch), static_cast<long long>(d_model), static_cast<long long>(heads), threads,
              backward ? "forward+backward" : "forward", repeats);
  std::printf("%8s %14s %14s %14s\n", "length", "median_s", "fastest_s", "us_per_token");
  std::vector<double> log_length, log_median, log_fastest;
  for (int64_t length : lengths) {
    const at::Tensor x = at::normal(0.0, 1.0, {batch, length, d_model}, generator, at::TensorOptions().dtype(at::kFloat));
    time_runs(layer, registry, x, 1, backward);  // warm-up
    const Timing timing = time_runs(layer, registry, x, repeats, backward);
    std::printf("%8lld %14.6f %14.6f %14.3f\n", static_cast<long long>(length), timing.median, timing.fastest,
                1e6 * timing.fastest / static_cast<double>(length));
    log_length.push_back(std::log(static_cast<double>(length)));
    log_median.push_back(std::log(timing.median));
    log_fastest.push_back(std::log(timing.fastest));
  }
  std::printf("log-log slope: median %.3f, fastest %.3f\n", slope(log_length, log_median), slope(log_length, log_fastest));
  return 0;
}
