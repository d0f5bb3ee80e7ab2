#include "icl/mesa/cpu_kernels.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

namespace oh::icl::mesa::cpu {
namespace {

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

}  // namespace

SequentialSolve sherman_morrison(const at::Tensor& q_in, const at::Tensor& k_in, const at::Tensor& lambda_in,
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

namespace {

/// z_t = S_t q̃_t with S_t = Σ_{τ≤t} v_τ k_τᵀ kept in a d_v×d buffer.
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

}  // namespace

at::Tensor readout(const at::Tensor& q_tilde_in, const at::Tensor& k_in, const at::Tensor& v_in) {
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

namespace {

/// One sequence of the recursion's backward from its saved R_t, newest token first, with the reverse
/// cumulative Σ_{t≥τ} M_t (M_t = −u_t q̃_tᵀ) kept in one d×d buffer: u_t = R_t g_t, C ← C + M_t,
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

}  // namespace

ShermanMorrisonGradients sherman_morrison_backward(const at::Tensor& inverses_in, const at::Tensor& q_tilde_in,
                                                   const at::Tensor& k_in, const at::Tensor& grad_in, const at::Tensor& lambda) {
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

namespace {

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

}  // namespace

ReadoutGradients readout_backward(const at::Tensor& q_tilde_in, const at::Tensor& k_in, const at::Tensor& v_in,
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

}  // namespace oh::icl::mesa::cpu
