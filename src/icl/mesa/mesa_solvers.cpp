#include "icl/mesa/mesa_solvers.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

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

struct ScanResult {
  at::Tensor q_tilde;
  at::Tensor inverses;  // R_t for every t, [batch, heads, time, d, d]; only when asked for
};

/// One (batch, head) sequence of the recursion in plain loops: R stays in a d×d buffer, ~3d² multiply-adds
/// per token instead of a handful of tensor ops (whose dispatch dominates at small d). R stays exactly
/// symmetric because each update subtracts (r_i r_j)/den and (r_j r_i)/den, which round alike.
template <typename Scalar>
void sherman_morrison_sequence(const Scalar* q, const Scalar* k, Scalar lambda, int64_t time, int64_t d, Scalar* q_tilde,
                               Scalar* inverses) {
  std::vector<Scalar> r(static_cast<size_t>(d * d), Scalar(0)), r_k(static_cast<size_t>(d));
  for (int64_t i = 0; i < d; ++i) r[static_cast<size_t>(i * d + i)] = lambda;
  for (int64_t t = 0; t < time; ++t) {
    const Scalar* k_t = k + t * d;
    const Scalar* q_t = q + t * d;
    Scalar denominator = 1;
    for (int64_t i = 0; i < d; ++i) {
      Scalar sum = 0;
      for (int64_t j = 0; j < d; ++j) sum += r[static_cast<size_t>(i * d + j)] * k_t[j];
      r_k[static_cast<size_t>(i)] = sum;
      denominator += k_t[i] * sum;
    }
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < d; ++j)
        r[static_cast<size_t>(i * d + j)] -= r_k[static_cast<size_t>(i)] * r_k[static_cast<size_t>(j)] / denominator;
    for (int64_t i = 0; i < d; ++i) {
      Scalar sum = 0;
      for (int64_t j = 0; j < d; ++j) sum += r[static_cast<size_t>(i * d + j)] * q_t[j];
      q_tilde[t * d + i] = sum;
    }
    if (inverses) std::copy(r.begin(), r.end(), inverses + t * d * d);
  }
}

/// The recursion on CPU without autograd: every (batch, head) sequence independently, in parallel.
ScanResult sherman_morrison_scan_cpu(const at::Tensor& q_in, const at::Tensor& k_in, const at::Tensor& lambda_in,
                                     bool keep_inverses) {
  const at::Tensor q = q_in.contiguous(), k = k_in.contiguous(), lambda = lambda_in.contiguous();
  const int64_t batch = q.size(0), heads = q.size(1), time = q.size(2), d = q.size(3);
  at::Tensor q_tilde = at::empty_like(q);
  at::Tensor inverses = keep_inverses ? at::empty({batch, heads, time, d, d}, q.options()) : at::Tensor();
  AT_DISPATCH_FLOATING_TYPES(q.scalar_type(), "sherman_morrison_scan_cpu", [&] {
    const scalar_t* q_data = q.data_ptr<scalar_t>();
    const scalar_t* k_data = k.data_ptr<scalar_t>();
    const scalar_t* lambda_data = lambda.data_ptr<scalar_t>();
    scalar_t* q_tilde_data = q_tilde.data_ptr<scalar_t>();
    scalar_t* inverse_data = keep_inverses ? inverses.data_ptr<scalar_t>() : nullptr;
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
      for (int64_t sequence = begin; sequence < end; ++sequence)
        sherman_morrison_sequence(q_data + sequence * time * d, k_data + sequence * time * d, lambda_data[sequence % heads],
                                  time, d, q_tilde_data + sequence * time * d,
                                  inverse_data ? inverse_data + sequence * time * d * d : nullptr);
    });
  });
  return {q_tilde, inverses};
}

/// z_t = S_t q̃_t with S_t = Σ_{τ≤t} v_τ k_τᵀ kept in a d_v×d buffer: O(d_v·d) memory per sequence
/// where the tensor version materialises every S_t.
template <typename Scalar>
void readout_sequence(const Scalar* q_tilde, const Scalar* k, const Scalar* v, int64_t time, int64_t d, int64_t d_v,
                      Scalar* z) {
  std::vector<Scalar> s(static_cast<size_t>(d_v * d), Scalar(0));
  for (int64_t t = 0; t < time; ++t) {
    const Scalar* k_t = k + t * d;
    const Scalar* v_t = v + t * d_v;
    const Scalar* q_t = q_tilde + t * d;
    for (int64_t i = 0; i < d_v; ++i) {
      Scalar sum = 0;
      for (int64_t j = 0; j < d; ++j) {
        Scalar& entry = s[static_cast<size_t>(i * d + j)];
        entry += v_t[i] * k_t[j];
        sum += entry * q_t[j];
      }
      z[t * d_v + i] = sum;
    }
  }
}

at::Tensor readout_cpu(const at::Tensor& q_tilde_in, const at::Tensor& k_in, const at::Tensor& v_in) {
  const at::Tensor q_tilde = q_tilde_in.contiguous(), k = k_in.contiguous(), v = v_in.contiguous();
  const int64_t sequences = q_tilde.size(0) * q_tilde.size(1), time = q_tilde.size(2), d = q_tilde.size(3), d_v = v.size(3);
  at::Tensor z = at::empty_like(v);
  AT_DISPATCH_FLOATING_TYPES(q_tilde.scalar_type(), "mesa_readout_cpu", [&] {
    const scalar_t* q_data = q_tilde.data_ptr<scalar_t>();
    const scalar_t* k_data = k.data_ptr<scalar_t>();
    const scalar_t* v_data = v.data_ptr<scalar_t>();
    scalar_t* z_data = z.data_ptr<scalar_t>();
    at::parallel_for(0, sequences, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        readout_sequence(q_data + n * time * d, k_data + n * time * d, v_data + n * time * d_v, time, d, d_v,
                         z_data + n * time * d_v);
    });
  });
  return z;
}

/// The Sherman–Morrison recursion: tensor ops when autograd records them, else (on CPU) the plain loops.
ScanResult sherman_morrison_scan(const at::Tensor& q, const at::Tensor& k, const at::Tensor& lambda, bool keep_inverses) {
  if (q.is_cpu() && !records_graph({&q, &k, &lambda}))
    return sherman_morrison_scan_cpu(q, k.to(q.scalar_type()), lambda.to(q.scalar_type()), keep_inverses);
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

/// solve_adjoint for one Sherman–Morrison sequence from its saved R_t, newest token first, with the
/// reverse cumulative Σ_{t≥τ} M_t kept in one d×d buffer: u_t = R_t g_t, C ← C − u_t q̃_tᵀ,
/// ∂k_t = (C + Cᵀ) k_t. Returns the sequence's Σ_t u_t·q̃_t (∂λ before the division by λ²).
template <typename Scalar>
Scalar sherman_morrison_adjoint_sequence(const Scalar* inverses, const Scalar* q_tilde, const Scalar* k, const Scalar* grad,
                                         int64_t time, int64_t d, Scalar* u, Scalar* grad_k) {
  std::vector<Scalar> c(static_cast<size_t>(d * d), Scalar(0));
  Scalar lambda_share = 0;
  for (int64_t t = time - 1; t >= 0; --t) {
    const Scalar* r = inverses + t * d * d;
    const Scalar* g_t = grad + t * d;
    const Scalar* q_t = q_tilde + t * d;
    const Scalar* k_t = k + t * d;
    Scalar* u_t = u + t * d;
    for (int64_t i = 0; i < d; ++i) {
      Scalar sum = 0;
      for (int64_t j = 0; j < d; ++j) sum += r[i * d + j] * g_t[j];
      u_t[i] = sum;
      lambda_share += sum * q_t[i];
    }
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < d; ++j) c[static_cast<size_t>(i * d + j)] -= u_t[i] * q_t[j];
    for (int64_t i = 0; i < d; ++i) {
      Scalar sum = 0;
      for (int64_t j = 0; j < d; ++j) sum += (c[static_cast<size_t>(i * d + j)] + c[static_cast<size_t>(j * d + i)]) * k_t[j];
      grad_k[t * d + i] = sum;
    }
  }
  return lambda_share;
}

/// ∂L/∂(q, k, λ) of the recursion on CPU: every (batch, head) sequence independently, in parallel.
variable_list sherman_morrison_adjoint_cpu(const at::Tensor& inverses_in, const at::Tensor& q_tilde_in, const at::Tensor& k_in,
                                           const at::Tensor& grad_in, const at::Tensor& lambda) {
  const at::Tensor inverses = inverses_in.contiguous(), q_tilde = q_tilde_in.contiguous(), k = k_in.contiguous(),
                   grad = grad_in.contiguous();
  const int64_t batch = k.size(0), heads = k.size(1), time = k.size(2), d = k.size(3);
  at::Tensor u = at::empty_like(k), grad_k = at::empty_like(k);
  at::Tensor lambda_shares = at::empty({batch, heads}, k.options());
  AT_DISPATCH_FLOATING_TYPES(k.scalar_type(), "sherman_morrison_adjoint_cpu", [&] {
    const scalar_t* inverse_data = inverses.data_ptr<scalar_t>();
    const scalar_t* q_data = q_tilde.data_ptr<scalar_t>();
    const scalar_t* k_data = k.data_ptr<scalar_t>();
    const scalar_t* grad_data = grad.data_ptr<scalar_t>();
    scalar_t* u_data = u.data_ptr<scalar_t>();
    scalar_t* grad_k_data = grad_k.data_ptr<scalar_t>();
    scalar_t* share_data = lambda_shares.data_ptr<scalar_t>();
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        share_data[n] = sherman_morrison_adjoint_sequence(inverse_data + n * time * d * d, q_data + n * time * d,
                                                          k_data + n * time * d, grad_data + n * time * d, time, d,
                                                          u_data + n * time * d, grad_k_data + n * time * d);
    });
  });
  return {u, grad_k, lambda_shares.sum(0) / (lambda * lambda)};
}

/// ∂L/∂(q̃, k, v) of the readout for one sequence: ∂q̃_t = S_tᵀ ∂z_t going forward (S_t rebuilt on the
/// way), then, newest first, D = Σ_{t≥τ} ∂z_t q̃_tᵀ, ∂v_τ = D k_τ and ∂k_τ = Dᵀ v_τ.
template <typename Scalar>
void readout_adjoint_sequence(const Scalar* q_tilde, const Scalar* k, const Scalar* v, const Scalar* grad_z, int64_t time,
                              int64_t d, int64_t d_v, Scalar* grad_q_tilde, Scalar* grad_k, Scalar* grad_v) {
  std::vector<Scalar> s(static_cast<size_t>(d_v * d), Scalar(0));
  for (int64_t t = 0; t < time; ++t) {
    for (int64_t i = 0; i < d_v; ++i)
      for (int64_t j = 0; j < d; ++j) s[static_cast<size_t>(i * d + j)] += v[t * d_v + i] * k[t * d + j];
    for (int64_t j = 0; j < d; ++j) {
      Scalar sum = 0;
      for (int64_t i = 0; i < d_v; ++i) sum += s[static_cast<size_t>(i * d + j)] * grad_z[t * d_v + i];
      grad_q_tilde[t * d + j] = sum;
    }
  }
  std::fill(s.begin(), s.end(), Scalar(0));  // now D
  for (int64_t t = time - 1; t >= 0; --t) {
    for (int64_t i = 0; i < d_v; ++i)
      for (int64_t j = 0; j < d; ++j) s[static_cast<size_t>(i * d + j)] += grad_z[t * d_v + i] * q_tilde[t * d + j];
    for (int64_t i = 0; i < d_v; ++i) {
      Scalar sum = 0;
      for (int64_t j = 0; j < d; ++j) sum += s[static_cast<size_t>(i * d + j)] * k[t * d + j];
      grad_v[t * d_v + i] = sum;
    }
    for (int64_t j = 0; j < d; ++j) {
      Scalar sum = 0;
      for (int64_t i = 0; i < d_v; ++i) sum += s[static_cast<size_t>(i * d + j)] * v[t * d_v + i];
      grad_k[t * d + j] = sum;
    }
  }
}

variable_list readout_adjoint_cpu(const at::Tensor& q_tilde_in, const at::Tensor& k_in, const at::Tensor& v_in,
                                  const at::Tensor& grad_z_in) {
  const at::Tensor q_tilde = q_tilde_in.contiguous(), k = k_in.contiguous(), v = v_in.contiguous(),
                   grad_z = grad_z_in.contiguous();
  const int64_t sequences = k.size(0) * k.size(1), time = k.size(2), d = k.size(3), d_v = v.size(3);
  at::Tensor grad_q_tilde = at::empty_like(q_tilde), grad_k = at::empty_like(k), grad_v = at::empty_like(v);
  AT_DISPATCH_FLOATING_TYPES(k.scalar_type(), "mesa_readout_adjoint_cpu", [&] {
    const scalar_t* q_data = q_tilde.data_ptr<scalar_t>();
    const scalar_t* k_data = k.data_ptr<scalar_t>();
    const scalar_t* v_data = v.data_ptr<scalar_t>();
    const scalar_t* grad_z_data = grad_z.data_ptr<scalar_t>();
    scalar_t* grad_q_data = grad_q_tilde.data_ptr<scalar_t>();
    scalar_t* grad_k_data = grad_k.data_ptr<scalar_t>();
    scalar_t* grad_v_data = grad_v.data_ptr<scalar_t>();
    at::parallel_for(0, sequences, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        readout_adjoint_sequence(q_data + n * time * d, k_data + n * time * d, v_data + n * time * d_v,
                                 grad_z_data + n * time * d_v, time, d, d_v, grad_q_data + n * time * d,
                                 grad_k_data + n * time * d, grad_v_data + n * time * d_v);
    });
  });
  return {grad_q_tilde, grad_k, grad_v};
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
    ScanResult scan = sherman_morrison_scan(q, k, lambda, /*keep_inverses=*/true);
    ctx->save_for_backward({scan.inverses, scan.q_tilde, k, lambda});
    return scan.q_tilde;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    if (saved[0].is_cpu()) return sherman_morrison_adjoint_cpu(saved[0], saved[1], saved[2], grads[0], saved[3]);
    const at::Tensor u = saved[0].matmul(grads[0].unsqueeze(-1)).squeeze(-1);
    auto [grad_k, grad_lambda] = solve_adjoint(u, saved[1], saved[2], saved[3]);
    return {u, grad_k, grad_lambda};
  }
};

/// The readout with loop kernels both ways on CPU: O(d_v·d) memory per sequence instead of every S_t.
struct FusedReadout : public torch::autograd::Function<FusedReadout> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q_tilde, const at::Tensor& k, const at::Tensor& v) {
    ctx->save_for_backward({q_tilde, k, v});
    return readout_cpu(q_tilde, k, v);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    return readout_adjoint_cpu(saved[0], saved[1], saved[2], grads[0]);
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
    return readout_cpu(q_tilde, k.to(q_tilde.scalar_type()), v.to(q_tilde.scalar_type()));
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
