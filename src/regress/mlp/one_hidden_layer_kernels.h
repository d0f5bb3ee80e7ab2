#pragma once
// The loss and gradient of a network with one relu hidden layer and one linear output (the
// zoo's mlp_uat_*), fused so that the n × hidden activations never go through memory. Every
// sum runs over the same terms in the same order as the layer-by-layer kernels in
// numpy_order_kernels.h (so the results are bit-identical to them and to scikit-learn); only
// the independent sums are regrouped: the forward pass advances eight samples per vector (the
// output's sum runs over hidden units) and makes one pass over the hidden units, the backward
// pass eight hidden units per vector (the gradient's sums run over samples) and makes one pass.
#include <cstddef>

namespace oh::regress::mlp {

/// The widest input the fused kernels take (wider inputs use the layer-by-layer kernels).
constexpr int kOneHiddenLayerMaxInputs = 10;

struct OneHiddenLayerData {
  const double* inputs;             // X, rows × in, row-major
  const double* transposed_inputs;  // Xᵀ, in × padded_rows, rows past `rows` hold 0
  int rows, padded_rows, in;        // padded_rows: rows rounded up to a multiple of 8
};

struct OneHiddenLayerWeights {
  const double *W0, *b0;  // in × hidden, hidden
  const double *W1, *b1;  // hidden (× 1), 1
  int hidden;  // >= 2: one hidden unit's intercept gradient is numpy's pairwise mean instead
};

/// relu(X·W0 + b0) into `activations` (hidden rounded up to a multiple of 8 rows × padded_rows,
/// sample-minor; the rows past `hidden` are not written and must hold finite values), ŷ
/// (padded_rows entries; those past `rows` are scratch), and Σ W0² and Σ W1² each as one
/// sequential sum in the packed order (reference-BLAS ddot): that long dependency chain runs
/// interleaved with the forward pass, which hides its latency.
void one_hidden_layer_forward(const OneHiddenLayerData& data, const OneHiddenLayerWeights& weights,
                              double* activations, double* predicted, double squared_norms[2]);

/// Given the forward pass's activations and δ = ŷ − y (rows entries), writes the coefficient and intercept gradients of the hidden
/// layer and the output coefficients' gradient, (Σ_r … + α·W) / n and Σ_r δ / n as
/// MlpLoss does. The output intercept's gradient (a pairwise mean) is left to the caller.
void one_hidden_layer_backward(const OneHiddenLayerData& data, const OneHiddenLayerWeights& weights,
                               const double* activations, const double* delta, double alpha,
                               double* W0_gradient, double* b0_gradient, double* W1_gradient);

}  // namespace oh::regress::mlp
