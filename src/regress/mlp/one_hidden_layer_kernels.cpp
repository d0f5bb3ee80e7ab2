#include "regress/mlp/one_hidden_layer_kernels.h"

#include <algorithm>
#include <cassert>

#include "regress/mlp/simd_lanes.h"
#include "regress/mlp/vector_clones.h"

namespace oh::regress::mlp {
namespace {

template <int kIn>
OH_INLINE void forward_pass(const OneHiddenLayerData& data, const OneHiddenLayerWeights& weights,
                            double* __restrict activations, double* __restrict predicted, double squared_norms[2]) {
  constexpr int in = kIn;
  const int hidden = weights.hidden, row_vectors = data.padded_rows / kLaneCount;
  const double* __restrict X_T = data.transposed_inputs;
  const double* __restrict W0 = weights.W0;
  const double* __restrict b0 = weights.b0;
  const double* __restrict W1 = weights.W1;
  std::fill(predicted, predicted + data.padded_rows, 0.0);
  double norm0 = 0.0, norm1 = 0.0;
  for (int j = 0; j < hidden; ++j) {
    // Hidden unit j's share of the two ddot chains: W0's packed entries [j·in, (j+1)·in) and W1[j].
    for (int k = 0; k < in; ++k) norm0 += W0[j * in + k] * W0[j * in + k];
    norm1 += W1[j] * W1[j];
    const double w1 = W1[j], bias = b0[j];
    Lanes w0[in];
    for (int k = 0; k < in; ++k) w0[k] = splat(W0[k * hidden + j]);
    for (int v = 0; v < row_vectors; ++v) {
      // Z[r, j] = Σ_k X[r, k]·W0[k, j] + b0[j] for eight samples r, then the output's running
      // sum Σ_j relu(Z[r, j])·W1[j] advances by one term.
      Lanes z = {};
      for (int k = 0; k < in; ++k) z += load_lanes(X_T + k * data.padded_rows + v * kLaneCount) * w0[k];
      const Lanes a = relu_lanes(z + bias);
      store_lanes(activations + static_cast<long>(j) * data.padded_rows + v * kLaneCount, a);
      double* out = predicted + v * kLaneCount;
      store_lanes(out, load_lanes(out) + a * w1);
    }
  }
  const double b1 = weights.b1[0];
  for (int r = 0; r < data.padded_rows; ++r) predicted[r] += b1;
  squared_norms[0] = norm0;
  squared_norms[1] = norm1;
}

template <int kIn>
OH_INLINE void backward_pass(const OneHiddenLayerData& data, const OneHiddenLayerWeights& weights,
                             const double* __restrict activations, const double* __restrict delta, double alpha,
                             double* __restrict W0_gradient, double* __restrict b0_gradient,
                             double* __restrict W1_gradient) {
  constexpr int in = kIn;
  const int hidden = weights.hidden, rows = data.rows, stride = data.padded_rows;
  const double* __restrict X = data.inputs;
  const double* __restrict W0 = weights.W0;
  const Lanes n = splat(static_cast<double>(rows)), zero = {};
  for (int j = 0; j < hidden; j += kLaneCount) {
    const int width = std::min(kLaneCount, hidden - j);
    const auto load = [width](const double* p) { return width == kLaneCount ? load_lanes(p) : load_partial_lanes(p, width); };
    const auto store = [width](double* p, const Lanes& v) {
      if (width == kLaneCount) store_lanes(p, v);
      else store_partial_lanes(p, v, width);
    };
    Lanes g0[in];
    for (int k = 0; k < in; ++k) g0[k] = zero;
    const Lanes w1 = load(weights.W1 + j);
    Lanes gb = zero, g1 = zero;
    for (int block = 0; block < rows; block += kLaneCount) {
      // The forward pass stored relu(Z) with eight samples per vector; turn eight hidden units ×
      // eight samples around so that each vector holds one sample's eight hidden units.
      Lanes a_block[kLaneCount];
      for (int i = 0; i < kLaneCount; ++i) a_block[i] = load_lanes(activations + static_cast<long>(j + i) * stride + block);
      transpose_lanes(a_block);
      const int block_rows = std::min(kLaneCount, rows - block);
      for (int c = 0; c < block_rows; ++c) {
        const int r = block + c;
        const double* x = X + static_cast<long>(r) * in;
        const Lanes a = a_block[c];
        const double d = delta[r];
        g1 += a * d;
        // δ_hidden = (0 + δ·W1) where the activation is nonzero (numpy's dot, then relu's derivative).
        const Lanes back = zero + d * w1;
        const Lanes hidden_delta = a == zero ? zero : back;
        gb += hidden_delta;
        for (int k = 0; k < in; ++k) g0[k] += x[k] * hidden_delta;
      }
    }
    for (int k = 0; k < in; ++k) {
      const long at = static_cast<long>(k) * hidden + j;
      store(W0_gradient + at, (g0[k] + alpha * load(W0 + at)) / n);
    }
    store(b0_gradient + j, gb / n);
    store(W1_gradient + j, (g1 + alpha * w1) / n);
  }
}

}  // namespace

// One entry per supported input width, each compiled for every instruction set.
#define OH_FOR_EACH_WIDTH(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10)
static_assert(kOneHiddenLayerMaxInputs == 10, "OH_FOR_EACH_WIDTH lists the widths 1..kOneHiddenLayerMaxInputs");

OH_VECTOR_CLONES
void one_hidden_layer_forward(const OneHiddenLayerData& data, const OneHiddenLayerWeights& weights,
                              double* activations, double* predicted, double squared_norms[2]) {
  switch (data.in) {
#define OH_CASE(width) \
  case width:          \
    return forward_pass<width>(data, weights, activations, predicted, squared_norms);
    OH_FOR_EACH_WIDTH(OH_CASE)
#undef OH_CASE
  }
  assert(false && "input width outside 1..kOneHiddenLayerMaxInputs");
}

OH_VECTOR_CLONES
void one_hidden_layer_backward(const OneHiddenLayerData& data, const OneHiddenLayerWeights& weights,
                               const double* activations, const double* delta, double alpha,
                               double* W0_gradient, double* b0_gradient, double* W1_gradient) {
  switch (data.in) {
#define OH_CASE(width) \
  case width:          \
    return backward_pass<width>(data, weights, activations, delta, alpha, W0_gradient, b0_gradient, W1_gradient);
    OH_FOR_EACH_WIDTH(OH_CASE)
#undef OH_CASE
  }
  assert(false && "input width outside 1..kOneHiddenLayerMaxInputs");
}

}  // namespace oh::regress::mlp
