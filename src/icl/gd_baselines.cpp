#include "icl/gd_baselines.h"

#include <ATen/ATen.h>

#include <cmath>
#include <functional>
#include <string>

#include "core/error.h"

namespace oh::icl {

GdResult gradient_descent(const LinearTasks& tasks, double eta, int steps, const at::Tensor& w0) {
  if (steps < 0) throw InputError("gd: steps must be ≥ 0, got " + std::to_string(steps));
  const int64_t b = tasks.count(), n = tasks.x.size(1), d = tasks.x.size(2);
  at::Tensor w = w0.defined() ? w0.to(tasks.x.scalar_type()).expand({b, 1, d}) : at::zeros({b, 1, d}, tasks.x.options());
  for (int s = 0; s < steps; ++s) {
    const at::Tensor residual = at::bmm(tasks.x, w.transpose(1, 2)) - tasks.y;  // [b, N, 1]
    w = w - at::bmm(residual.transpose(1, 2), tasks.x) * (eta / static_cast<double>(n));
  }
  return {at::bmm(w, tasks.x_test.unsqueeze(2)).view({b}), w};
}

double half_mse(const at::Tensor& predictions, const at::Tensor& targets) {
  return 0.5 * (predictions.to(at::kDouble) - targets.to(at::kDouble)).pow(2).mean().item<double>();
}

LineSearchResult line_search_gd_eta(const LinearTasks& tasks, int steps, const at::Tensor& w0) {
  if (steps <= 0) throw InputError("gd line search: steps must be > 0, got " + std::to_string(steps));
  const LinearTasks exact = tasks.to(at::kDouble);
  const std::function<double(double)> loss = [&](double eta) {
    const double value = half_mse(gradient_descent(exact, eta, steps, w0).predictions, exact.y_test);
    return std::isfinite(value) ? value : HUGE_VAL;
  };
  // Bracket: find lo < mid < hi with loss(mid) ≤ both ends.
  double lo = 0.0, mid = 1.0, hi = 2.0;
  double f_lo = loss(lo), f_mid = loss(mid), f_hi = loss(hi);
  if (f_mid > f_lo) {
    while (f_mid > f_lo && mid > 1e-12) {
      hi = mid, f_hi = f_mid;
      mid /= 2, f_mid = loss(mid);
    }
  } else {
    while (f_hi < f_mid && hi < 1e12) {
      lo = mid, f_lo = f_mid;
      mid = hi, f_mid = f_hi;
      hi *= 2, f_hi = loss(hi);
    }
  }
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double a = lo, c = hi;
  double x1 = c - ratio * (c - a), x2 = a + ratio * (c - a);
  double f1 = loss(x1), f2 = loss(x2);
  while (c - a > 1e-7 * std::max(1.0, std::abs(x1))) {
    if (f1 <= f2) {
      c = x2, x2 = x1, f2 = f1;
      x1 = c - ratio * (c - a), f1 = loss(x1);
    } else {
      a = x1, x1 = x2, f1 = f2;
      x2 = a + ratio * (c - a), f2 = loss(x2);
    }
  }
  const double eta = f1 <= f2 ? x1 : x2;
  return {eta, std::min(f1, f2)};
}

at::Tensor ridge_predictions(const LinearTasks& tasks, double lambda) {
  if (!(lambda >= 0) || !std::isfinite(lambda)) throw InputError("ridge: λ must be finite and ≥ 0, got " + std::to_string(lambda));
  const int64_t d = tasks.x.size(2);
  at::Tensor w;  // [b, d, 1]
  if (lambda == 0) {
    w = std::get<0>(at::linalg_lstsq(tasks.x, tasks.y, c10::nullopt, std::string("gelsd")));
  } else {
    const at::Tensor xt = tasks.x.transpose(1, 2);
    w = at::linalg_solve(at::bmm(xt, tasks.x) + at::eye(d, tasks.x.options()) * lambda, at::bmm(xt, tasks.y));
  }
  return at::bmm(tasks.x_test.unsqueeze(1), w).view({tasks.count()});
}

}  // namespace oh::icl
