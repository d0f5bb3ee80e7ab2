#include "icl/mesa/mesa_attention.h"

#include <ATen/ATen.h>

#include <array>
#include <cmath>
#include <utility>

#include "core/error.h"

namespace oh::icl::mesa {
namespace {

constexpr std::array<std::pair<const char*, MesaSolver>, 4> kSolverNames{{
    {"sherman_morrison", MesaSolver::sherman_morrison},
    {"sherman_morrison_fused", MesaSolver::sherman_morrison_fused},
    {"cholesky", MesaSolver::cholesky},
    {"conjugate_gradient", MesaSolver::conjugate_gradient},
}};

bool positive_finite(double value) { return value > 0 && std::isfinite(value); }

std::string number(double value) { return std::to_string(value); }

/// Checks everything the constructor is given and fills in the default head size.
MesaAttentionOptions validated(MesaAttentionOptions options, int layer) {
  const std::string where = "mesa layer " + std::to_string(layer) + ": ";
  if (layer < 0) throw InputError(where + "layer index must be ≥ 0");
  if (options.d_model < 1 || options.heads < 1 || options.d_head < 0)
    throw InputError(where + "need d_model ≥ 1, heads ≥ 1 and d_head ≥ 0, got " + std::to_string(options.d_model) +
                     ", " + std::to_string(options.heads) + ", " + std::to_string(options.d_head));
  if (options.d_head == 0) {
    if (options.d_model % options.heads != 0)
      throw InputError(where + std::to_string(options.heads) + " heads do not divide d_model " +
                       std::to_string(options.d_model) + " (set d_head explicitly)");
    options.d_head = options.d_model / options.heads;
  }
  if (options.fixed_lambda && !positive_finite(*options.fixed_lambda))
    throw InputError(where + "a fixed λ must be positive and finite, got " + number(*options.fixed_lambda));
  if (!positive_finite(options.lambda_init))
    throw InputError(where + "λ's initial value must be positive and finite, got " + number(options.lambda_init));
  if (!(options.init_std >= 0) || !std::isfinite(options.init_std))
    throw InputError(where + "init_std must be ≥ 0 and finite, got " + number(options.init_std));
  if (options.dtype != at::kFloat && options.dtype != at::kDouble)
    throw InputError(where + "dtype must be float32 or float64");
  if (options.conjugate_gradient.max_steps < 1 || !(options.conjugate_gradient.relative_residual >= 0))
    throw InputError(where + "conjugate gradient needs max_steps ≥ 1 and relative_residual ≥ 0");
  return options;
}

}  // namespace

MesaSolver mesa_solver_from_name(const std::string& name) {
  std::string known;
  for (const auto& [text, solver] : kSolverNames) {
    if (name == text) return solver;
    known += (known.empty() ? "" : ", ") + std::string(text);
  }
  throw InputError("unknown mesa solver '" + name + "' (known: " + known + ")");
}

std::string mesa_solver_name(MesaSolver solver) {
  for (const auto& [text, value] : kSolverNames)
    if (value == solver) return text;
  return "?";  // unreachable: every enumerator is in the table
}

MesaAttentionImpl::MesaAttentionImpl(const MesaAttentionOptions& options, hooks::HookPointRegistry& registry, int layer,
                                     at::Generator generator)
    : options_(validated(options, layer)), layer_(layer) {
  const int64_t inner = options_.heads * options_.d_head;
  const at::TensorOptions tensor_options = at::TensorOptions().dtype(options_.dtype);
  auto draw = [&](int64_t rows, int64_t cols) {
    return at::normal(0.0, options_.init_std, {rows, cols}, generator, tensor_options);
  };
  w_q_ = register_parameter("w_q", draw(inner, options_.d_model));
  w_k_ = register_parameter("w_k", draw(inner, options_.d_model));
  w_v_ = register_parameter("w_v", draw(inner, options_.d_model));
  w_o_ = register_parameter("w_o", draw(options_.d_model, inner));
  if (options_.fixed_lambda)
    fixed_lambda_ = register_buffer("lambda", at::full({options_.heads}, *options_.fixed_lambda, tensor_options));
  else
    log_lambda_ = register_parameter("log_lambda", at::full({options_.heads}, std::log(options_.lambda_init), tensor_options));

  const std::string block = "blocks." + std::to_string(layer) + ".";
  hook_q_ = registry.declare(block + "attn.hook_q", layer);
  hook_k_ = registry.declare(block + "attn.hook_k", layer);
  hook_v_ = registry.declare(block + "attn.hook_v", layer);
  hook_q_tilde_ = registry.declare(block + "attn.hook_q_tilde", layer);
  hook_z_ = registry.declare(block + "attn.hook_z", layer);
  hook_attn_out_ = registry.declare(block + "hook_attn_out", layer);
}

at::Tensor MesaAttentionImpl::lambda() const { return fixed_lambda_.defined() ? fixed_lambda_ : log_lambda_.exp(); }

at::Tensor MesaAttentionImpl::solve(const at::Tensor& q, const at::Tensor& k) const {
  const at::Tensor lambda_per_head = lambda();
  switch (options_.solver) {
    case MesaSolver::sherman_morrison: return q_tilde_sherman_morrison(q, k, lambda_per_head);
    case MesaSolver::sherman_morrison_fused: return q_tilde_sherman_morrison_fused(q, k, lambda_per_head);
    case MesaSolver::cholesky: return q_tilde_cholesky(q, k, lambda_per_head);
    case MesaSolver::conjugate_gradient: return q_tilde_conjugate_gradient(q, k, lambda_per_head, options_.conjugate_gradient);
  }
  return {};  // unreachable: the switch covers every solver
}

at::Tensor MesaAttentionImpl::forward(const at::Tensor& x, hooks::HookPass& pass) const {
  const std::string where = "mesa layer " + std::to_string(layer_) + ": ";
  if (!x.defined() || x.dim() != 3 || x.size(2) != options_.d_model)
    throw InputError(where + "input must be [batch, positions, " + std::to_string(options_.d_model) + "]");
  // Against the weights, not options_.dtype: the module may have been moved with to().
  if (x.scalar_type() != w_q_.scalar_type() || x.device() != w_q_.device())
    throw InputError(where + "input is " + std::string(c10::toString(x.scalar_type())) + " on " + x.device().str() +
                     ", the layer's weights are " + std::string(c10::toString(w_q_.scalar_type())) + " on " +
                     w_q_.device().str());
  if (!at::isfinite(x).all().item<bool>()) throw InputError(where + "input holds NaN or infinite values");

  const int64_t batch = x.size(0), positions = x.size(1), heads = options_.heads, d_head = options_.d_head;
  auto project = [&](const at::Tensor& weight) { return x.matmul(weight.t()).view({batch, positions, heads, d_head}); };
  const at::Tensor q = pass(hook_q_, project(w_q_));
  const at::Tensor k = pass(hook_k_, project(w_k_));
  const at::Tensor v = pass(hook_v_, project(w_v_));
  // The solvers work per (batch, head): [b, heads, p, d_head]. A zero key adds nothing to either
  // Σ k kᵀ or Σ v kᵀ, which is how a query-only position stays out of the regression.
  at::Tensor k_heads = k.transpose(1, 2);
  if (options_.last_position_is_query) {
    at::Tensor keep = at::ones({positions}, k.options());
    keep[positions - 1] = 0;
    k_heads = k_heads * keep.view({1, 1, positions, 1});
  }
  const at::Tensor q_tilde = pass(hook_q_tilde_, solve(q.transpose(1, 2), k_heads).transpose(1, 2));
  const auto readout = options_.solver == MesaSolver::sherman_morrison_fused ? mesa_readout_fused : mesa_readout;
  const at::Tensor z = pass(hook_z_, readout(q_tilde.transpose(1, 2), k_heads, v.transpose(1, 2)).transpose(1, 2));
  return pass(hook_attn_out_, z.reshape({batch, positions, heads * d_head}).matmul(w_o_.t()));
}

}  // namespace oh::icl::mesa
