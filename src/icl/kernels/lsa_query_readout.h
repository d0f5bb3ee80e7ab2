#pragma once
// The fused query readout of one linear self-attention layer (issue 4, item 11). With keys and
// values taken from the N context tokens e_1…e_N and C = Σ_i e_i e_iᵀ, the query token's output is
//   e_q + Σ_h A_h C B_h e_q,   A_h = P^h W_V^h,  B_h = W_K^hᵀ W_Q^h
// (scores q·k = e_iᵀ B_h e_q, values v_i = W_V^h e_i, P^h the head's block of the projection), which
// is what LsaModel's op-by-op path computes for the query row. One autograd function: forward and
// backward are a few GEMMs over the batch plus one plain loop over the context, with no per-example
// matmul dispatch and no intermediate graph. Gradients reach the tokens and all four weights.
#include <ATen/core/Tensor.h>

namespace oh::icl::kernels {

/// tokens [b, N+1, D] (the query last, N ≥ 1); query, key, value [H, dk, D]; projection [D, H·dk];
/// float or double, all one dtype. Returns the query token's residual output [b, D].
/// InputError on shapes or dtypes that do not fit together.
at::Tensor lsa_query_readout(const at::Tensor& tokens, const at::Tensor& query, const at::Tensor& key,
                             const at::Tensor& value, const at::Tensor& projection);

}  // namespace oh::icl::kernels
