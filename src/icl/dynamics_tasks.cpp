#include "icl/dynamics_tasks.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <array>
#include <cassert>
#include <cmath>
#include <string>
#include <utility>

#include "core/error.h"

namespace oh::icl {
namespace {

struct Preset {
  const char* task;
  DynamicsKind kind;
  int64_t state_dim, hidden_dim;
};
constexpr std::array<Preset, 3> kPresets{{
    {"dynamics", DynamicsKind::fully_observed, 10, 10},
    {"dynamics-partial", DynamicsKind::partially_observed, 5, 15},
    {"dynamics-nonlinear", DynamicsKind::nonlinear, 10, 10},
}};

bool finite_non_negative(double v) { return std::isfinite(v) && v >= 0; }

/// Haar-distributed orthogonal matrices: QR of a Gaussian with R's diagonal made positive.
at::Tensor random_orthogonal(int64_t count, int64_t n, at::Generator& gen) {
  const at::Tensor gaussian = at::normal(0.0, 1.0, {count, n, n}, gen, at::TensorOptions().dtype(at::kDouble));
  auto [q, r] = at::linalg_qr(gaussian);
  const at::Tensor signs = at::where(r.diagonal(0, -2, -1) >= 0, 1.0, -1.0);
  return (q * signs.unsqueeze(-2)).to(at::kFloat);
}

}  // namespace

DynamicsConfig DynamicsConfig::preset(const std::string& task) {
  std::string known;
  for (const Preset& p : kPresets) {
    if (task == p.task) {
      DynamicsConfig c;
      c.kind = p.kind, c.state_dim = p.state_dim, c.hidden_dim = p.hidden_dim, c.mlp_dim = 4 * p.hidden_dim;
      return c;
    }
    known += (known.empty() ? "" : ", ") + std::string(p.task);
  }
  throw InputError("unknown dynamics task '" + task + "' (known: " + known + ")");
}

bool DynamicsConfig::is_dynamics_task(const std::string& task) {
  for (const Preset& p : kPresets)
    if (task == p.task) return true;
  return false;
}

std::string DynamicsConfig::kind_name() const {
  for (const Preset& p : kPresets)
    if (p.kind == kind) return p.task;
  return "?";  // unreachable: every kind has a preset
}

void DynamicsConfig::validate() const {
  const std::string where = "dynamics task: ";
  if (state_dim <= 0 || hidden_dim <= 0 || mlp_dim <= 0)
    throw InputError(where + "n_s, n_h and n_m must be > 0, got " + std::to_string(state_dim) + ", " + std::to_string(hidden_dim) + ", " +
                     std::to_string(mlp_dim));
  if (kind != DynamicsKind::partially_observed && state_dim != hidden_dim)
    throw InputError(where + "C* = I needs n_s = n_h, got " + std::to_string(state_dim) + " and " + std::to_string(hidden_dim));
  if (length < 2) throw InputError(where + "sequence length T must be ≥ 2, got " + std::to_string(length));
  for (const auto& [name, value] : {std::pair{"observation variance", observation_var}, std::pair{"MLP variance", mlp_var},
                                    std::pair{"process noise variance", process_noise_var},
                                    std::pair{"observation noise variance", observation_noise_var}})
    if (!finite_non_negative(value)) throw InputError(where + name + " must be finite and ≥ 0, got " + std::to_string(value));
}

at::Tensor DynamicsSequences::nonlinearity(const at::Tensor& h) const {
  if (!mlp_in.defined()) return h;
  const at::Tensor g = at::matmul(at::gelu(at::matmul(h, mlp_in.transpose(1, 2))), mlp_out.transpose(1, 2));
  // Norm-preserving, as the orthogonal W* is: the raw MLP expands some sequences' states without bound.
  return g * (h.norm(2, -1, true) / g.norm(2, -1, true).clamp_min(1e-12));
}

DynamicsSequences sample_dynamics(const DynamicsConfig& config, int64_t count, uint64_t seed) {
  config.validate();
  if (count <= 0) throw InputError("dynamics task: sequence count must be > 0, got " + std::to_string(count));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const int64_t ns = config.state_dim, nh = config.hidden_dim, nm = config.mlp_dim, T = config.length;
  DynamicsSequences seq;
  seq.transition = random_orthogonal(count, nh, gen);
  seq.observation = config.kind == DynamicsKind::partially_observed
                        ? at::normal(0.0, std::sqrt(config.observation_var), {count, ns, nh}, gen, options)
                        : at::eye(nh, options).expand({count, nh, nh}).contiguous();
  if (config.kind == DynamicsKind::nonlinear) {
    seq.mlp_in = at::normal(0.0, std::sqrt(config.mlp_var / static_cast<double>(nh)), {count, nm, nh}, gen, options);
    seq.mlp_out = at::normal(0.0, std::sqrt(config.mlp_var / static_cast<double>(nm)), {count, nh, nm}, gen, options);
  }
  const double process_std = std::sqrt(config.process_noise_var), observation_std = std::sqrt(config.observation_noise_var);
  std::vector<at::Tensor> hidden, states;
  at::Tensor h = at::normal(0.0, 1.0, {count, 1, nh}, gen, options);
  for (int64_t t = 0; t < T; ++t) {
    if (t > 0) {
      const at::Tensor noise = at::normal(0.0, process_std, {count, 1, nh}, gen, options);
      h = at::matmul(seq.nonlinearity(h), seq.transition.transpose(1, 2)) + noise;
    }
    hidden.push_back(h);
    states.push_back(at::matmul(h, seq.observation.transpose(1, 2)) + at::normal(0.0, observation_std, {count, 1, ns}, gen, options));
  }
  seq.hidden = at::cat(hidden, 1);
  seq.states = at::cat(states, 1);
  return seq;
}

at::Tensor dynamics_tokens(const at::Tensor& states, const at::Tensor& phi0) {
  const at::Tensor previous = at::constant_pad_nd(states, {0, 0, 1, 0}).narrow(1, 0, states.size(1));  // s_{t−1}, s_0 = 0
  const at::Tensor first = phi0.defined() ? at::matmul(states, phi0.to(states.scalar_type()).t()) : at::zeros_like(states);
  return at::cat({first, states, previous}, 2);
}

at::Tensor next_states(const at::Tensor& states) { return states.narrow(1, 1, states.size(1) - 1); }

at::Tensor next_state_loss(const at::Tensor& predictions, const at::Tensor& states, int64_t from) {
  const int64_t targets = states.size(1) - 1;
  const at::Tensor error = predictions.narrow(1, from, targets - from) - next_states(states).narrow(1, from, targets - from);
  return 0.5 * error.pow(2).sum(-1).mean();
}

at::Tensor copy_last_predictions(const at::Tensor& states) { return states; }

at::Tensor least_squares_predictions(const at::Tensor& states, double ridge) {
  if (!(ridge > 0) || !std::isfinite(ridge)) throw InputError("least squares on dynamics: ridge must be > 0, got " + std::to_string(ridge));
  const at::Tensor s = states.to(at::kDouble);
  // Pairs (s_τ, s_{τ+1}): query t sees those with τ < t.
  return ridge_on_earlier_pairs(s.narrow(1, 0, s.size(1) - 1), next_states(s), s, ridge).to(states.scalar_type());
}

at::Tensor ridge_on_earlier_pairs(const at::Tensor& inputs, const at::Tensor& outputs, const at::Tensor& queries, double ridge) {
  assert(queries.size(1) <= inputs.size(1) + 1);
  const at::Tensor in = inputs.to(at::kDouble), out = outputs.to(at::kDouble), q = queries.to(at::kDouble);
  const int64_t n = in.size(2), count = q.size(1);
  // Exclusive cumulative sums of the pairs' outer products: entry t sums the pairs j < t.
  const at::Tensor gram_steps = at::matmul(in.unsqueeze(-1), in.unsqueeze(-2));  // [b, P, n, n]
  const at::Tensor cross_steps = at::matmul(out.unsqueeze(-1), in.unsqueeze(-2));
  const at::Tensor gram = at::constant_pad_nd(gram_steps.cumsum(1), {0, 0, 0, 0, 1, 0}).narrow(1, 0, count);
  const at::Tensor cross = at::constant_pad_nd(cross_steps.cumsum(1), {0, 0, 0, 0, 1, 0}).narrow(1, 0, count);
  const at::Tensor regularised = gram + ridge * at::eye(n, q.options());
  // Φ̂ = cross · regularised⁻¹; Φ̂ q_t = cross · (regularised⁻¹ q_t), regularised symmetric.
  return at::matmul(cross, at::linalg_solve(regularised, q.unsqueeze(-1))).squeeze(-1);
}

at::Tensor gd_step_predictions(const at::Tensor& states, double eta, const at::Tensor& phi0) {
  const at::Tensor s = states.to(at::kDouble).contiguous();
  const int64_t b = s.size(0), T = s.size(1), n = s.size(2);
  const at::Tensor phi = phi0.defined() ? phi0.to(at::kDouble) : at::zeros({n, n}, s.options());
  at::Tensor out = at::empty_like(s);
  for (int64_t t = 0; t < T; ++t) {
    at::Tensor step = at::zeros({b, n, n}, s.options());  // Σ_{τ<t} (s_{τ+1} − Φ0 s_τ) s_τᵀ
    for (int64_t tau = 0; tau < t; ++tau) {
      const at::Tensor x = s.select(1, tau), residual = s.select(1, tau + 1) - at::matmul(x, phi.t());
      step = step + residual.unsqueeze(-1) * x.unsqueeze(-2);
    }
    out.select(1, t).copy_(at::matmul(phi + eta * step, s.select(1, t).unsqueeze(-1)).squeeze(-1));
  }
  return out.to(states.scalar_type());
}

}  // namespace oh::icl
