#include "icl/kernels/lsa_query_readout.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include <string>

#include "core/error.h"
#include "icl/kernels/lsa_context_loops.h"

namespace oh::icl::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// The per-head products of the weights, stacked for GEMMs over the batch.
struct HeadProducts {
  at::Tensor heads_projection;  // P^h: [H, D, dk]
  at::Tensor readin;            // rows h·D…h·D+D−1 hold B_h = W_Kᵀ W_Q: [H·D, D]
  at::Tensor readout;           // columns h·D… hold A_h = P^h W_V: [D, H·D]
};

HeadProducts head_products(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value, const at::Tensor& projection) {
  const int64_t h = query.size(0), dk = query.size(1), d = query.size(2);
  HeadProducts p;
  p.heads_projection = projection.view({d, h, dk}).permute({1, 0, 2});
  p.readin = at::bmm(key.transpose(1, 2), query).reshape({h * d, d});
  p.readout = at::bmm(p.heads_projection, value).permute({1, 0, 2}).reshape({d, h * d});
  return p;
}

ContextShape context_shape(const at::Tensor& tokens, int64_t heads) {
  return {tokens.size(0), tokens.size(1) - 1, tokens.size(2), heads};
}

class LsaQueryReadout : public torch::autograd::Function<LsaQueryReadout> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& tokens_in, const at::Tensor& query, const at::Tensor& key,
                            const at::Tensor& value, const at::Tensor& projection) {
    const at::Tensor tokens = tokens_in.contiguous();
    const HeadProducts p = head_products(query, key, value, projection);
    const at::Tensor query_token = tokens.select(1, tokens.size(1) - 1);
    const at::Tensor u = at::mm(query_token, p.readin.t());  // u_h = B_h e_q: [b, H·D]
    at::Tensor w = at::empty_like(u);
    AT_DISPATCH_FLOATING_TYPES(tokens.scalar_type(), "lsa_query_readout", [&] {
      apply_context_moments<scalar_t>(context_shape(tokens, query.size(0)), tokens.data_ptr<scalar_t>(), u.data_ptr<scalar_t>(),
                                      w.data_ptr<scalar_t>());
    });
    ctx->save_for_backward({tokens, query, key, value, u, w, p.heads_projection, p.readin, p.readout});
    return at::addmm(query_token, w, p.readout.t());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &tokens = saved[0], &query = saved[1], &key = saved[2], &value = saved[3], &u = saved[4], &w = saved[5];
    const at::Tensor &heads_projection = saved[6], &readin = saved[7], &readout = saved[8];
    const at::Tensor g = grads[0].contiguous();  // ∂L/∂(query output): [b, D]
    const int64_t h = query.size(0), d = query.size(2), last = tokens.size(1) - 1;
    const at::Tensor query_token = tokens.select(1, last);
    const bool want_tokens = ctx->needs_input_grad(0);

    const at::Tensor r = at::mm(g, readout);  // ∂L/∂w_h = A_hᵀ g
    at::Tensor du = at::empty_like(u);
    at::Tensor d_tokens = want_tokens ? at::zeros_like(tokens) : at::Tensor();
    AT_DISPATCH_FLOATING_TYPES(tokens.scalar_type(), "lsa_query_readout_backward", [&] {
      apply_context_moments_backward<scalar_t>(context_shape(tokens, h), tokens.data_ptr<scalar_t>(), u.data_ptr<scalar_t>(),
                                               r.data_ptr<scalar_t>(), du.data_ptr<scalar_t>(),
                                               want_tokens ? d_tokens.data_ptr<scalar_t>() : nullptr);
    });
    if (want_tokens) d_tokens.select(1, last).copy_(at::addmm(g, du, readin));  // e_q: identity + Σ_h B_hᵀ du_h

    const at::Tensor d_readout = at::mm(g.t(), w).view({d, h, d}).permute({1, 0, 2});  // ∂L/∂A_h: [H, D, D]
    const at::Tensor d_readin = at::mm(du.t(), query_token).view({h, d, d});          // ∂L/∂B_h: [H, D, D]
    const at::Tensor d_heads_projection = at::bmm(d_readout, value.transpose(1, 2));  // [H, D, dk]
    return {d_tokens,
            at::bmm(key, d_readin),
            at::bmm(query, d_readin.transpose(1, 2)),
            at::bmm(heads_projection.transpose(1, 2), d_readout),
            d_heads_projection.permute({1, 0, 2}).reshape({d, -1})};
  }
};

void check_inputs(const at::Tensor& tokens, const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                  const at::Tensor& projection) {
  if (tokens.dim() != 3 || tokens.size(1) < 2)
    throw InputError("lsa readout: tokens must be [batch, N+1 ≥ 2, D], got " + std::to_string(tokens.dim()) + " dimensions");
  const at::ScalarType dtype = tokens.scalar_type();
  if (dtype != at::kFloat && dtype != at::kDouble) throw InputError("lsa readout: tokens must be float or double");
  if (query.dim() != 3 || query.size(2) != tokens.size(2))
    throw InputError("lsa readout: query weights must be [heads, key_dim, " + std::to_string(tokens.size(2)) + "]");
  for (const at::Tensor* t : {&key, &value})
    if (t->sizes() != query.sizes()) throw InputError("lsa readout: key and value weights must have the query weights' shape");
  if (projection.sizes() != at::IntArrayRef{tokens.size(2), query.size(0) * query.size(1)})
    throw InputError("lsa readout: projection must be [token_dim, heads·key_dim]");
  for (const at::Tensor* t : {&query, &key, &value, &projection}) {
    if (t->scalar_type() != dtype) throw InputError("lsa readout: weights and tokens must share one dtype");
    if (!t->device().is_cpu() || !tokens.device().is_cpu()) throw InputError("lsa readout: CPU tensors only");
  }
}

}  // namespace

at::Tensor lsa_query_readout(const at::Tensor& tokens, const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                             const at::Tensor& projection) {
  check_inputs(tokens, query, key, value, projection);
  return LsaQueryReadout::apply(tokens, query, key, value, projection);
}

}  // namespace oh::icl::kernels
