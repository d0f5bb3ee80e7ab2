#pragma once
// TransformerLens's weight processing steps (ModelOptions::tl_processing) on float32 weights in our
// layout: matrices [out, in] (x · Wᵀ), the unembedding W_U as [vocab, d].
#include <ATen/core/Tensor.h>

namespace oh::lm {

/// fold_ln for the matrix reading a norm's output: W·diag(g) (the norm's weight g moves into W).
at::Tensor fold_norm_weight(const at::Tensor& weight, const at::Tensor& norm_weight);

/// fold_ln for the bias of that matrix: b + W·β (the LayerNorm bias β moves into it; b may be undefined).
at::Tensor fold_norm_bias(const at::Tensor& weight, const at::Tensor& bias, const at::Tensor& norm_bias);

/// center_writing_weights: a tensor that writes into the residual stream minus its mean over the
/// residual coordinates, dimension `residual_dim` of it (0 for a matrix [d, in] or a bias [d], 1 for an
/// embedding [n, d]).
at::Tensor center_writes(const at::Tensor& weight, int64_t residual_dim);

/// center_unembed: W_U [vocab, d] (or b_U [vocab]) minus its mean over the vocabulary.
at::Tensor center_over_vocabulary(const at::Tensor& unembed);

}  // namespace oh::lm
