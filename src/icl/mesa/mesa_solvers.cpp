#include "icl/mesa/mesa_solvers.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "icl/mesa/cpu_kernels.h"

namespace oh::icl::mesa {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

std::string shape_text(at::IntArrayRef sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) text += (i ? ", " : "") + std::to_string(sizes[i]);
  return text + "]";
}

void check_solve_inputs(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
  if (q.dim() != 4 || q.sizes() != k.sizes())
    throw InputError("mesa solve: q and k must both be [batch, heads, time, d], got q " + shape_text(q.sizes()) +
                     " and k " + shape_text(k.sizes()));
  if (lambda.dim() != 1 || lambda.size(0) != q.size(1))
    throw InputError("mesa solve: λ must be [heads] = [" + std::to_string(q.size(1)) + "], got " +
                     shape_text(lambda.sizes()));
}

/// Whether autograd will record operations on these inputs (otherwise the plain-loop CPU kernels run).
bool records_graph(std::initializer_list<const at::Tensor*> inputs) {
  if (!at::GradMode::is_enabled()) return false;
  for (const at::Tensor* input : inputs)
    if (input->requires_grad()) return true;
  return false;
}

void check_readout_inputs(const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v) {
  if (q_tilde.dim() != 4 || q_tilde.sizes() != k.sizes() || v.dim() != 4 || v.sizes().slice(0, 3) != k.sizes().slice(0, 3))
    throw InputError("mesa readout: q̃ and k must be [batch, heads, time, d] and v [batch, heads, time, d_v], got " +
                     shape_text(q_tilde.sizes()) + ", " + shape_text(k.sizes()) + ", " + shape_text(v.sizes()));
}

at::Tensor per_head(const at::Tensor& lambda) { return lambda.view({1, lambda.size(0), 1, 1}); }

/// Σ_{τ≤t} k_τ k_τᵀ for every t: [batch, heads, time, d, d].
at::Tensor cumulative_gram(const at::Tensor& k) { return (k.unsqueeze(-1) * k.unsqueeze(-2)).cumsum(2); }

/// The Sherman–Morrison recursion: tensor ops when autograd records them, else (on CPU) the plain loops.
cpu::SequentialSolve sherman_morrison_scan(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda, bool keep_inverses) {
  if (q.is_cpu() && !records_graph({&q, &k, &lambda}))
    return cpu::sherman_morrison(q, k.to(q.scalar_type()), lambda.to(q.scalar_type()), keep_inverses);
  const int64_t batch = q.size(0), heads = q.size(1), time = q.size(2), d = q.size(3);
  at::Tensor r = (per_head(lambda) * at::eye(d, q.options())).expand({batch, heads, d, d});
  std::vector<at::Tensor> q_tilde, inverses;
  q_tilde.reserve(static_cast<size_t>(time));
  if (keep_inverses) inverses.reserve(static_cast<size_t>(time));
  for (int64_t t = 0; t < time; ++t) {
    const at::Tensor k_t = k.select(2, t).unsqueeze(-1);
    const at::Tensor r_k = r.matmul(k_t);  // R stays symmetric, so R k kᵀ R = (R k)(R k)ᵀ
    const at::Tensor denominator = k_t.transpose(-1, -2).matmul(r_k) + 1;
    r = r - r_k.matmul(r_k.transpose(-1, -2)) / denominator;
    q_tilde.push_back(r.matmul(q.select(2, t).unsqueeze(-1)).squeeze(-1));
    if (keep_inverses) inverses.push_back(r);
  }
  return {at::stack(q_tilde, 2), keep_inverses ? at::stack(inverses, 2) : at::Tensor()};
}

/// Gradients of q̃_t = A_t⁻¹ q_t (A_t = Σ_{τ≤t} k_τk_τᵀ + I/λ) given u_t = A_t⁻¹ g_t, g = ∂L/∂q̃ (A is
/// symmetric, so u is also ∂L/∂q). With M_t = ∂L/∂A_t = −u_t q̃_tᵀ: ∂L/∂k_τ = Σ_{t≥τ}(M_t + M_tᵀ) k_τ,
/// and ∂L/∂λ = tr(Σ_t M_t)·(−1/λ²) = Σ_t u_t·q̃_t / λ².
std::pair<at::Tensor, at::Tensor> solve_adjoint(const at::Tensor& u, const at::Tensor& q_tilde, const at::Tensor& k,
                                                const at::Tensor& lambda) {
  const at::Tensor m = -(u.unsqueeze(-1) * q_tilde.unsqueeze(-2));
  const at::Tensor from_t_on = m.flip(2).cumsum(2).flip(2);
  const at::Tensor grad_k = (from_t_on + from_t_on.transpose(-1, -2)).matmul(k.unsqueeze(-1)).squeeze(-1);
  const at::Tensor grad_lambda = (u * q_tilde).sum({0, 2, 3}) / (lambda * lambda);
  return {grad_k, grad_lambda};
}

at::Tensor dot_last(const at::Tensor& a, const at::Tensor& b) { return (a * b).sum(-1, /*keepdim=*/true); }

/// Solves (gram_t + I/λ) x_t = rhs_t for every system at once; no autograd graph (called inside
/// custom functions).
at::Tensor conjugate_gradient_solve(const at::Tensor& gram, const at::Tensor& lambda, const at::Tensor& rhs,
                                    const ConjugateGradientOptions& options) {
  const at::Tensor inverse_lambda = per_head(lambda).reciprocal();
  auto apply = [&](const at::Tensor& x) { return gram.matmul(x.unsqueeze(-1)).squeeze(-1) + x * inverse_lambda; };
  // Guards 0/0 once a system has converged exactly (its residual and direction are then zero).
  const double tiny = rhs.scalar_type() == at::kDouble ? std::numeric_limits<double>::min()
                                                       : static_cast<double>(std::numeric_limits<float>::min());
  at::Tensor x = at::zeros_like(rhs);
  at::Tensor residual = rhs.clone();
  at::Tensor direction = residual.clone();
  at::Tensor rr = dot_last(residual, residual);
  const at::Tensor stop_below = dot_last(rhs, rhs) * (options.relative_residual * options.relative_residual);
  for (int step = 0; step < options.max_steps; ++step) {
    if (rr.le(stop_below).all().item<bool>()) break;
    const at::Tensor a_direction = apply(direction);
    const at::Tensor alpha = rr / dot_last(direction, a_direction).clamp_min(tiny);
    x = x + alpha * direction;
    residual = residual - alpha * a_direction;
    const at::Tensor rr_next = dot_last(residual, residual);
    direction = residual + (rr_next / rr.clamp_min(tiny)) * direction;
    rr = rr_next;
  }
  return x;
}

struct FusedShermanMorrison : public torch::autograd::Function<FusedShermanMorrison> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
    cpu::SequentialSolve scan = sherman_morrison_scan(q, k, lambda, /*keep_inverses=*/true);
    ctx->save_for_backward({scan.inverses, scan.q_tilde, k, lambda});
    return scan.q_tilde;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    if (saved[0].is_cpu()) {
      cpu::ShermanMorrisonGradients g = cpu::sherman_morrison_backward(saved[0], saved[1], saved[2], grads[0], saved[3]);
      return {g.q, g.k, g.lambda};
    }
    const at::Tensor u = saved[0].matmul(grads[0].unsqueeze(-1)).squeeze(-1);
    auto [grad_k, grad_lambda] = solve_adjoint(u, saved[1], saved[2], saved[3]);
    return {u, grad_k, grad_lambda};
  }
};

/// The readout with loop kernels both ways on CPU: O(d_v·d) memory per sequence instead of every S_t.
struct FusedReadout : public torch::autograd::Function<FusedReadout> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v) {
    ctx->save_for_backward({q_tilde, k, v});
    return cpu::readout(q_tilde, k, v);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    cpu::ReadoutGradients g = cpu::readout_backward(saved[0], saved[1], saved[2], grads[0]);
    return {g.q_tilde, g.k, g.v};
  }
};

struct ConjugateGradient : public torch::autograd::Function<ConjugateGradient> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda,
                            int64_t max_steps, double relative_residual) {
    const ConjugateGradientOptions options{static_cast<int>(max_steps), relative_residual};
    const at::Tensor gram = cumulative_gram(k);
    at::Tensor q_tilde = conjugate_gradient_solve(gram, lambda, q, options);
    ctx->save_for_backward({gram, q_tilde, k, lambda});
    ctx->saved_data["max_steps"] = max_steps;
    ctx->saved_data["relative_residual"] = relative_residual;
    return q_tilde;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const ConjugateGradientOptions options{static_cast<int>(ctx->saved_data["max_steps"].toInt()),
                                           ctx->saved_data["relative_residual"].toDouble()};
    const at::Tensor u = conjugate_gradient_solve(saved[0], saved[3], grads[0], options);
    auto [grad_k, grad_lambda] = solve_adjoint(u, saved[1], saved[2], saved[3]);
    return {u, grad_k, grad_lambda, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor q_tilde_sherman_morrison(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
  check_solve_inputs(q, k, lambda);
  return sherman_morrison_scan(q, k, lambda, /*keep_inverses=*/false).q_tilde;
}

at::Tensor q_tilde_sherman_morrison_fused(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
  check_solve_inputs(q, k, lambda);
  // Without a backward to come, keeping every R_t (T·d² memory) would be waste.
  if (!records_graph({&q, &k, &lambda})) return sherman_morrison_scan(q, k, lambda, /*keep_inverses=*/false).q_tilde;
  return FusedShermanMorrison::apply(q, k, lambda);
}

at::Tensor q_tilde_cholesky(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda) {
  check_solve_inputs(q, k, lambda);
  const at::Tensor inverse_lambda = lambda.reciprocal().view({1, lambda.size(0), 1, 1, 1});
  const at::Tensor regularised = cumulative_gram(k) + at::eye(q.size(3), q.options()) * inverse_lambda;
  auto [factor, info] = at::linalg_cholesky_ex(regularised);
  if (info.ne(0).any().item<bool>())
    throw ComputationError("mesa layer: Σkkᵀ + I/λ is not numerically positive definite in " +
                           std::string(c10::toString(q.scalar_type())) + " (λ too large for this precision)");
  return at::cholesky_solve(q.unsqueeze(-1), factor).squeeze(-1);
}

at::Tensor q_tilde_conjugate_gradient(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda,
                                      const ConjugateGradientOptions& options) {
  check_solve_inputs(q, k, lambda);
  if (options.max_steps < 1 || !(options.relative_residual >= 0))
    throw InputError("mesa conjugate gradient: need max_steps ≥ 1 and relative_residual ≥ 0, got " +
                     std::to_string(options.max_steps) + " and " + std::to_string(options.relative_residual));
  return ConjugateGradient::apply(q, k, lambda, static_cast<int64_t>(options.max_steps), options.relative_residual);
}

at::Tensor mesa_readout(const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v) {
  check_readout_inputs(q_tilde, k, v);
  if (q_tilde.is_cpu() && !records_graph({&q_tilde, &k, &v}))
    return cpu::readout(q_tilde, k.to(q_tilde.scalar_type()), v.to(q_tilde.scalar_type()));
  const at::Tensor values_by_keys = (v.unsqueeze(-1) * k.unsqueeze(-2)).cumsum(2);
  return values_by_keys.matmul(q_tilde.unsqueeze(-1)).squeeze(-1);
}

at::Tensor mesa_readout_fused(const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v) {
  if (!q_tilde.is_cpu() || !records_graph({&q_tilde, &k, &v})) return mesa_readout(q_tilde, k, v);
  check_readout_inputs(q_tilde, k, v);
  const at::ScalarType dtype = q_tilde.scalar_type();
  return FusedReadout::apply(q_tilde, k.to(dtype), v.to(dtype));
}

}  // namespace oh::icl::mesa
