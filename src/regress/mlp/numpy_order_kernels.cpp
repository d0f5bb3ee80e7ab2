#include "regress/mlp/numpy_order_kernels.h"

#include <algorithm>

#include "regress/mlp/vector_clones.h"

namespace oh::regress::mlp {
namespace {

// Samples whose dot products advance together when a layer has a single output, so that the
// sequential sums over a wide hidden layer overlap instead of waiting on each other.
constexpr int kInterleavedRows = 8;
// Register tile of the ordered products below: kTileRows output rows × kTileColumns columns.
constexpr int kTileRows = 2;
constexpr int kTileColumns = 32;

// C(p, t) = Σ_q L(p, q)·B(q, t) (+ bias[t]) for an R × T tile held in registers, where
// L(p, q) = left[p·lp + q·lq] and B is row-major with row stride ldb; q runs in order.
template <int R, int T>
OH_INLINE void ordered_tile(const double* left, long lp, long lq, int Q, const double* B, long ldb,
                         const double* bias, double* C, long ldc) {
  double acc[R][T] = {};
  for (int q = 0; q < Q; ++q) {
    const double* b = B + q * ldb;
    for (int p = 0; p < R; ++p) {
      const double l = left[p * lp + q * lq];
      for (int t = 0; t < T; ++t) acc[p][t] += l * b[t];
    }
  }
  for (int p = 0; p < R; ++p)
    for (int t = 0; t < T; ++t) C[p * ldc + t] = bias ? acc[p][t] + bias[t] : acc[p][t];
}

template <int R>
OH_INLINE void ordered_row_block(const double* left, long lp, long lq, int Q, const double* B, long ldb, int width,
                              const double* bias, double* C, long ldc) {
  int j = 0;
  for (; j + kTileColumns <= width; j += kTileColumns)
    ordered_tile<R, kTileColumns>(left, lp, lq, Q, B + j, ldb, bias ? bias + j : nullptr, C + j, ldc);
  for (; j + 8 <= width; j += 8) ordered_tile<R, 8>(left, lp, lq, Q, B + j, ldb, bias ? bias + j : nullptr, C + j, ldc);
  for (; j < width; ++j) ordered_tile<R, 1>(left, lp, lq, Q, B + j, ldb, bias ? bias + j : nullptr, C + j, ldc);
}

// C (P × width) = L·B (+ bias), every element a sequential sum over q = 0..Q-1 (reference BLAS).
OH_INLINE void ordered_product(const double* left, long lp, long lq, int P, int Q, const double* B, long ldb, int width,
                            const double* bias, double* C, long ldc) {
  int p = 0;
  for (; p + kTileRows <= P; p += kTileRows)
    ordered_row_block<kTileRows>(left + p * lp, lp, lq, Q, B, ldb, width, bias, C + p * ldc, ldc);
  for (; p < P; ++p) ordered_row_block<1>(left + p * lp, lp, lq, Q, B, ldb, width, bias, C + p * ldc, ldc);
}

}  // namespace

OH_VECTOR_CLONES
void dense_forward(const double* __restrict A, int rows, int in, const double* __restrict W,
                   const double* __restrict bias, int out, double* __restrict Z) {
  if (out == 1) {
    // One dot product per sample; several samples at a time keep independent sums in flight.
    int r = 0;
    for (; r + kInterleavedRows <= rows; r += kInterleavedRows)
      ordered_tile<kInterleavedRows, 1>(A + static_cast<long>(r) * in, in, 1, in, W, 1, bias, Z + r, 1);
    for (; r < rows; ++r) ordered_tile<1, 1>(A + static_cast<long>(r) * in, in, 1, in, W, 1, bias, Z + r, 1);
    return;
  }
  ordered_product(A, in, 1, rows, in, W, out, out, bias, Z, out);
}

OH_VECTOR_CLONES
void relu_inplace(double* __restrict Z, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) Z[i] = Z[i] < 0.0 ? 0.0 : Z[i];
}

OH_VECTOR_CLONES
void transposed_product(const double* __restrict A, const double* __restrict D, int rows, int in, int out,
                        double* __restrict G) {
  if (out == 1) {
    // G is one column: accumulate whole rows of A, vectorised along the `in` independent sums.
    std::fill(G, G + in, 0.0);
    for (int r = 0; r < rows; ++r) {
      const double d = D[r];
      const double* a = A + static_cast<long>(r) * in;
      for (int i = 0; i < in; ++i) G[i] += a[i] * d;
    }
    return;
  }
  // G(i, j) = Σ_r A(r, i)·D(r, j): L(i, r) = A[r·in + i].
  ordered_product(A, 1, in, in, rows, D, out, out, nullptr, G, out);
}

OH_VECTOR_CLONES
void backpropagate_relu(const double* __restrict D, int rows, int out, const double* __restrict W_T, int in,
                        const double* __restrict A_prev, double* __restrict D_prev) {
  for (int r = 0; r < rows; ++r) {
    double* __restrict p = D_prev + static_cast<long>(r) * in;
    const double* d = D + static_cast<long>(r) * out;
    for (int i = 0; i < in; ++i) p[i] = 0.0;
    for (int b = 0; b < out; ++b) {
      const double d_b = d[b];
      const double* __restrict w = W_T + static_cast<long>(b) * in;
      for (int i = 0; i < in; ++i) p[i] += d_b * w[i];
    }
    const double* a = A_prev + static_cast<long>(r) * in;
    for (int i = 0; i < in; ++i) p[i] = a[i] == 0.0 ? 0.0 : p[i];
  }
}

OH_VECTOR_CLONES
void column_means(const double* __restrict D, int rows, int cols, double* __restrict means) {
  if (cols == 1) {
    means[0] = pairwise_sum(D, rows) / rows;
    return;
  }
  std::fill(means, means + cols, 0.0);
  for (int r = 0; r < rows; ++r) {
    const double* d = D + static_cast<long>(r) * cols;
    for (int j = 0; j < cols; ++j) means[j] += d[j];
  }
  for (int j = 0; j < cols; ++j) means[j] /= rows;
}

namespace {

// numpy's pairwise_sum (loops_utils.h): blocks of at most 128 summed with 8 running partial
// sums, longer arrays split in halves rounded down to a multiple of 8.
double numpy_pairwise(const double* a, std::size_t n) {
  if (n < 8) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += a[i];
    return sum;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i];
    return sum;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return numpy_pairwise(a, half) + numpy_pairwise(a + half, n - half);
}

}  // namespace

double pairwise_sum(const double* values, std::size_t count) { return 0.0 + numpy_pairwise(values, count); }

double sequential_dot(const double* a, const double* b, std::size_t count) {
  double sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace oh::regress::mlp
