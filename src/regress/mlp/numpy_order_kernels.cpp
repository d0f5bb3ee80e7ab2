#include "regress/mlp/numpy_order_kernels.h"

#include <algorithm>
#include <cassert>

#include "regress/mlp/simd_lanes.h"

namespace oh::regress::mlp {
namespace {

// Samples whose dot products advance together when a layer has a single output, so that the
// sequential sums over a wide hidden layer overlap instead of waiting on each other.
constexpr int kInterleavedRows = 8;
// The widest register tile of the ordered products: vectors of output columns per tile.
constexpr int kMaxTileVectors = 4;

// C(p, t) = Σ_q L(p, q)·B(q, t) (+ bias[t]) for R × T scalars, where L(p, q) = left[p·lp + q·lq]
// and B has row stride ldb; q runs in order. Used for single-column products.
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

// The same sums for R rows × `width` <= 8·V columns held in R·V vector accumulators, all
// independent, so that enough additions are in flight to hide their latency. Every row of B
// holds 8·V readable doubles; only the first `width` columns are stored.
template <int R, int V>
OH_INLINE void lane_tile(const double* left, long lp, long lq, int Q, const double* B, long ldb, int width,
                         const double* bias, double* C, long ldc) {
  Lanes acc[R][V] = {};
  for (int q = 0; q < Q; ++q) {
    const double* b = B + q * ldb;
    Lanes column[V];
    for (int v = 0; v < V; ++v) column[v] = load_lanes(b + v * kLaneCount);
    for (int p = 0; p < R; ++p) {
      const Lanes l = splat(left[p * lp + q * lq]);
      for (int v = 0; v < V; ++v) acc[p][v] += l * column[v];
    }
  }
  for (int p = 0; p < R; ++p)
    for (int v = 0; v < V; ++v) {
      double* c = C + p * ldc + v * kLaneCount;
      const int count = std::min(kLaneCount, width - v * kLaneCount);
      if (count == kLaneCount) {
        store_lanes(c, bias ? acc[p][v] + load_lanes(bias + v * kLaneCount) : acc[p][v]);
      } else {
        for (int t = 0; t < count; ++t) c[t] = bias ? acc[p][v][t] + bias[v * kLaneCount + t] : acc[p][v][t];
      }
    }
}

// The last `rows` < R rows in one tile, so that a short remainder still keeps several rows'
// sums in flight.
template <int R, int V>
OH_INLINE void lane_remainder(int rows, const double* left, long lp, long lq, int Q, const double* B, long ldb,
                              int width, const double* bias, double* C, long ldc) {
  if constexpr (R > 0) {
    if (rows == R)
      lane_tile<R, V>(left, lp, lq, Q, B, ldb, width, bias, C, ldc);
    else
      lane_remainder<R - 1, V>(rows, left, lp, lq, Q, B, ldb, width, bias, C, ldc);
  }
}

// All P rows of a column block of V vectors, R rows per tile (R·V accumulators).
template <int R, int V>
OH_INLINE void lane_rows(const double* left, long lp, long lq, int P, int Q, const double* B, long ldb, int width,
                         const double* bias, double* C, long ldc) {
  int p = 0;
  for (; p + R <= P; p += R) lane_tile<R, V>(left + p * lp, lp, lq, Q, B, ldb, width, bias, C + p * ldc, ldc);
  lane_remainder<R - 1, V>(P - p, left + p * lp, lp, lq, Q, B, ldb, width, bias, C + p * ldc, ldc);
}

// C (P × width) = L·B (+ bias), every element a sequential sum over q = 0..Q-1 (reference BLAS).
// B's rows hold lane_padded(width) readable doubles. Rows per tile are chosen so that a tile
// keeps 8 to 12 independent accumulators (fewer leave the adder waiting on latency, more spill).
OH_INLINE void ordered_product(const double* left, long lp, long lq, int P, int Q, const double* B, long ldb,
                               int width, const double* bias, double* C, long ldc) {
  constexpr int kBlock = kMaxTileVectors * kLaneCount;
  int j = 0;
  for (; width - j > kBlock; j += kBlock)
    lane_rows<3, 4>(left, lp, lq, P, Q, B + j, ldb, kBlock, bias ? bias + j : nullptr, C + j, ldc);
  const int rest = width - j;
  const double* rest_bias = bias ? bias + j : nullptr;
  switch ((rest + kLaneCount - 1) / kLaneCount) {
    case 1: lane_rows<8, 1>(left, lp, lq, P, Q, B + j, ldb, rest, rest_bias, C + j, ldc); break;
    case 2: lane_rows<6, 2>(left, lp, lq, P, Q, B + j, ldb, rest, rest_bias, C + j, ldc); break;
    case 3: lane_rows<4, 3>(left, lp, lq, P, Q, B + j, ldb, rest, rest_bias, C + j, ldc); break;
    default: lane_rows<3, 4>(left, lp, lq, P, Q, B + j, ldb, rest, rest_bias, C + j, ldc); break;
  }
}

}  // namespace

int lane_padded(int units) { return (units + kLaneCount - 1) / kLaneCount * kLaneCount; }

OH_VECTOR_CLONES
void dense_forward(const double* __restrict A, int rows, int in, const double* __restrict W, int ldw,
                   const double* __restrict bias, int out, double* __restrict Z) {
  if (out == 1) {
    // One dot product per sample; several samples at a time keep independent sums in flight.
    int r = 0;
    for (; r + kInterleavedRows <= rows; r += kInterleavedRows)
      ordered_tile<kInterleavedRows, 1>(A + static_cast<long>(r) * in, in, 1, in, W, ldw, bias, Z + r, 1);
    for (; r < rows; ++r) ordered_tile<1, 1>(A + static_cast<long>(r) * in, in, 1, in, W, ldw, bias, Z + r, 1);
    return;
  }
  ordered_product(A, in, 1, rows, in, W, ldw, out, bias, Z, out);
}

OH_VECTOR_CLONES
void relu_inplace(double* __restrict Z, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) Z[i] = Z[i] < 0.0 ? 0.0 : Z[i];
}

OH_VECTOR_CLONES
void transposed_product(const double* __restrict A, const double* __restrict D, int ldd, int rows, int in, int out,
                        double* __restrict G) {
  if (out == 1) {
    // G is one column: accumulate whole rows of A, vectorised along the `in` independent sums.
    std::fill(G, G + in, 0.0);
    for (int r = 0; r < rows; ++r) {
      const double d = D[static_cast<long>(r) * ldd];
      const double* a = A + static_cast<long>(r) * in;
      for (int i = 0; i < in; ++i) G[i] += a[i] * d;
    }
    return;
  }
  // G(i, j) = Σ_r A(r, i)·D(r, j): L(i, r) = A[r·in + i].
  ordered_product(A, 1, in, in, rows, D, ldd, out, nullptr, G, out);
}

OH_VECTOR_CLONES
void backpropagate_relu(const double* __restrict D, int ldd, int rows, int out, const double* __restrict W_T,
                        int ldw_t, int in, const double* __restrict A_prev, double* __restrict D_prev, int ld_prev) {
  // D_prev(r, i) = Σ_b D(r, b)·W_T(b, i), summed over b in order from 0.0.
  ordered_product(D, ldd, 1, rows, out, W_T, ldw_t, in, nullptr, D_prev, ld_prev);
  for (int r = 0; r < rows; ++r) {
    double* p = D_prev + static_cast<long>(r) * ld_prev;
    const double* a = A_prev + static_cast<long>(r) * in;
    for (int i = 0; i < in; ++i) p[i] = a[i] == 0.0 ? 0.0 : p[i];
  }
}

OH_VECTOR_CLONES
void column_means(const double* __restrict D, int ldd, int rows, int cols, double* __restrict means) {
  if (cols == 1) {
    assert(ldd == 1);
    means[0] = pairwise_sum(D, rows) / rows;
    return;
  }
  std::fill(means, means + cols, 0.0);
  for (int r = 0; r < rows; ++r) {
    const double* d = D + static_cast<long>(r) * ldd;
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
