#include "icl/analysis/gd_reference.h"

#include <ATen/ATen.h>

#include <cmath>
#include <functional>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "icl/analysis/model_loss.h"
#include "icl/gd_baselines.h"
#include "icl/gd_construction.h"

namespace oh::icl::analysis {
namespace {

// Golden-section search for the minimum of f on [lo, hi]: {argmin, min}.
std::pair<double, double> golden_minimum(const std::function<double(double)>& f, double lo, double hi, int iterations) {
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double a = lo, b = hi;
  double c = b - ratio * (b - a), d = a + ratio * (b - a);
  double fc = f(c), fd = f(d);
  for (int i = 0; i < iterations; ++i) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - ratio * (b - a), fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + ratio * (b - a), fd = f(d);
    }
  }
  return fc < fd ? std::make_pair(c, fc) : std::make_pair(d, fd);
}

double gdpp_loss(const LinearTasks& tasks, int steps, double eta, double gamma) {
  GdConstruction c;
  c.input_dim = tasks.x.size(2), c.context_size = tasks.x.size(1), c.layers = steps;
  c.eta = eta, c.gamma = gamma;
  const double loss = model_loss(make_gd_model(c), tasks);
  return std::isfinite(loss) ? loss : HUGE_VAL;  // a diverging (η, γ) loses to any finite one
}

// 30 golden-section steps shrink an interval by 0.618^30 ≈ 5e-7: far below where the loss still moves.
constexpr int kIterations = 30;

}  // namespace

GdppTuning tune_gdpp(const LinearTasks& search_tasks, int steps) {
  const auto best_eta = [&](double gamma) {
    return golden_minimum([&](double log_eta) { return gdpp_loss(search_tasks, steps, std::exp(log_eta), gamma); },
                          std::log(1e-2), std::log(1e3), kIterations);
  };
  // I − γ Σ x_i x_iᵀ contracts while γ·λ < 2 for its eigenvalues λ: search up to 2 / the mean eigenvalue.
  const double mean_eigenvalue = (search_tasks.x * search_tasks.x).sum({1, 2}).mean().item<double>() / static_cast<double>(search_tasks.x.size(2));
  const auto [gamma, loss] = golden_minimum([&](double g) { return best_eta(g).second; }, 0.0, 2.0 / mean_eigenvalue, kIterations);
  return {std::exp(best_eta(gamma).first), gamma, loss};
}

GdReferencePoint gd_reference_point(const LinearTasks& search_tasks, const LinearTasks& eval_tasks, int steps) {
  if (steps < 1) throw InputError(fmt::format("icl analysis: GD steps must be ≥ 1, got {}", steps));
  GdReferencePoint p;
  p.steps = steps;
  p.gd_eta = line_search_gd_eta(search_tasks, steps).eta;
  p.gd_loss = half_mse(gradient_descent(eval_tasks, p.gd_eta, steps).predictions, eval_tasks.y_test);
  const GdppTuning pp = tune_gdpp(search_tasks, steps);
  p.gdpp_eta = pp.eta, p.gdpp_gamma = pp.gamma;
  p.gdpp_loss = gdpp_loss(eval_tasks, steps, pp.eta, pp.gamma);
  return p;
}

}  // namespace oh::icl::analysis
