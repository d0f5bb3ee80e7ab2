#pragma once
// Dense kernels for the MLP's loss and gradient that round exactly as scikit-learn's numpy code
// does on Debian (numpy 1.24 over reference BLAS): every matrix-product element is a sequential
// sum over the inner index, `x.mean()` of a contiguous column is numpy's pairwise sum, a mean
// over rows of a wider matrix is a sequential sum. Matching that order bit for bit is what lets
// the L-BFGS-B trajectory, and so the fitted network, equal scikit-learn's (DESIGN §4.5).
// The kernels vectorise only across independent outputs, never across a sum.
//
// All matrices are row-major (rows = samples for activations and deltas; fan_in × fan_out for
// weights, as numpy ravels them). Callers own all memory: nothing here allocates.
#include <cstddef>

namespace oh::regress::mlp {

/// Doubles in a row of a padded buffer `units` wide: whole vectors of 8 lanes, so the ordered
/// products below may read full vectors from every row (the padding never feeds a real sum).
int lane_padded(int units);

/// Z = A·W + bias (rows × out), A rows × in; W is in × out with row stride ldw, which is at least
/// lane_padded(out) when out > 1 (see lane_padded).
void dense_forward(const double* A, int rows, int in, const double* W, int ldw, const double* bias, int out,
                   double* Z);

/// np.maximum(Z, 0) in place (NaN and -0.0 kept, like numpy).
void relu_inplace(double* Z, std::size_t count);

/// G = Aᵀ·D (in × out) with each element summed over the rows in order; A rows × in, D rows × out
/// with row stride ldd, at least lane_padded(out) when out > 1.
void transposed_product(const double* A, const double* D, int ldd, int rows, int in, int out, double* G);

/// D_prev = D·Wᵀ (rows × in, row stride ld_prev), then zero where A_prev (rows × in) == 0 (relu's
/// derivative). D is rows × out with row stride ldd. W_T is W transposed (out × in, row stride
/// ldw_t >= lane_padded(in)) so the sum over `out` runs along contiguous memory.
void backpropagate_relu(const double* D, int ldd, int rows, int out, const double* W_T, int ldw_t, int in,
                        const double* A_prev, double* D_prev, int ld_prev);

/// np.mean(D, axis=0) for a rows × cols matrix with row stride ldd: pairwise when cols == 1
/// (numpy reduces the contiguous column; ldd must then be 1), sequential over rows otherwise.
void column_means(const double* D, int ldd, int rows, int cols, double* means);

/// numpy's pairwise summation of a contiguous array, starting from the identity 0.0.
double pairwise_sum(const double* values, std::size_t count);

/// Reference-BLAS ddot: a sequential sum of products.
double sequential_dot(const double* a, const double* b, std::size_t count);

}  // namespace oh::regress::mlp
