#include "regress/mlp/numpy_order_kernels.h"

#include <algorithm>

// The loops below are compiled for several instruction sets and picked at load time. Only the
// vector width changes: with -ffp-contract=off and no reassociation every clone rounds the same.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define OH_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define OH_VECTOR_CLONES
#endif

namespace oh::regress::mlp {
namespace {

// Output columns handled per pass of the row loops: a block of W (in × kColumnBlock) and of the
// gradient stays in L1 while every sample streams past it.
constexpr int kColumnBlock = 256;
// Samples whose dot products advance together when a layer has a single output, so that the
// sequential sums over a wide hidden layer overlap instead of waiting on each other.
constexpr int kInterleavedRows = 8;

}  // namespace

OH_VECTOR_CLONES
void dense_forward(const double* __restrict A, int rows, int in, const double* __restrict W,
                   const double* __restrict bias, int out, double* __restrict Z) {
  if (out == 1) {
    // One dot product per sample; several samples at a time keep independent sums in flight.
    int r = 0;
    for (; r + kInterleavedRows <= rows; r += kInterleavedRows) {
      double sums[kInterleavedRows] = {};
      const double* a = A + static_cast<long>(r) * in;
      for (int k = 0; k < in; ++k)
        for (int i = 0; i < kInterleavedRows; ++i) sums[i] += a[static_cast<long>(i) * in + k] * W[k];
      for (int i = 0; i < kInterleavedRows; ++i) Z[r + i] = sums[i] + bias[0];
    }
    for (; r < rows; ++r) Z[r] = sequential_dot(A + static_cast<long>(r) * in, W, in) + bias[0];
    return;
  }
  for (int j0 = 0; j0 < out; j0 += kColumnBlock) {
    const int width = std::min(kColumnBlock, out - j0);
    for (int r = 0; r < rows; ++r) {
      const double* a = A + static_cast<long>(r) * in;
      double* __restrict z = Z + static_cast<long>(r) * out + j0;
      for (int j = 0; j < width; ++j) z[j] = 0.0;
      for (int k = 0; k < in; ++k) {
        const double a_k = a[k];
        const double* __restrict w = W + static_cast<long>(k) * out + j0;
        for (int j = 0; j < width; ++j) z[j] += a_k * w[j];
      }
      for (int j = 0; j < width; ++j) z[j] += bias[j0 + j];
    }
  }
}

OH_VECTOR_CLONES
void relu_inplace(double* __restrict Z, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) Z[i] = Z[i] < 0.0 ? 0.0 : Z[i];
}

OH_VECTOR_CLONES
void transposed_product(const double* __restrict A, const double* __restrict D, int rows, int in, int out,
                        double* __restrict G) {
  std::fill(G, G + static_cast<long>(in) * out, 0.0);
  if (out == 1) {
    for (int r = 0; r < rows; ++r) {
      const double d = D[r];
      const double* a = A + static_cast<long>(r) * in;
      for (int i = 0; i < in; ++i) G[i] += a[i] * d;
    }
    return;
  }
  for (int j0 = 0; j0 < out; j0 += kColumnBlock) {
    const int width = std::min(kColumnBlock, out - j0);
    for (int r = 0; r < rows; ++r) {
      const double* __restrict d = D + static_cast<long>(r) * out + j0;
      const double* a = A + static_cast<long>(r) * in;
      for (int i = 0; i < in; ++i) {
        const double a_i = a[i];
        double* __restrict g = G + static_cast<long>(i) * out + j0;
        for (int j = 0; j < width; ++j) g[j] += a_i * d[j];
      }
    }
  }
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
