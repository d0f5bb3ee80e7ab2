#include "regress/numerics/numpy_blas.h"

#include <cblas.h>

#include <cassert>
#include <climits>

namespace oh::regress::numerics {
namespace {

using Index = Eigen::Index;

/// matmul.c.src's is_blasable2d, in element strides: the second axis contiguous and the first
/// axis stride at least the second axis length.
bool is_blasable2d(Index stride1, Index stride2, Index d1, Index d2) {
  (void)d1;
  return stride2 == 1 && stride1 >= d2 && stride1 <= INT_MAX - 1;
}

/// DOUBLE_dot (arraytypes.c.src): cblas_ddot added to 0.0 when both strides suit BLAS, else a
/// plain loop.
double double_dot(const double* a, Index stride_a, const double* b, Index stride_b, Index n) {
  if (stride_a > 0 && stride_b > 0 && stride_a <= INT_MAX && stride_b <= INT_MAX) {
    double sum = 0.0;
    sum += cblas_ddot(static_cast<int>(n), a, static_cast<int>(stride_a), b, static_cast<int>(stride_b));
    return sum;
  }
  double sum = 0.0;
  for (Index i = 0; i < n; ++i) sum += a[i * stride_a] * b[i * stride_b];
  return sum;
}

/// The output of one matmul call: pointer and strides (a missing 1-D axis has stride 0).
struct Output {
  double* data;
  Index row_stride, col_stride;
};

void matmul_noblas(const ArrayView& a, const ArrayView& b, const Output& out) {
  for (Index m = 0; m < a.rows; ++m)
    for (Index p = 0; p < b.cols; ++p) {
      double sum = 0.0;
      for (Index n = 0; n < a.cols; ++n) sum += a.data[m * a.row_stride + n * a.col_stride] * b.data[n * b.row_stride + p * b.col_stride];
      out.data[m * out.row_stride + p * out.col_stride] = sum;
    }
}

/// DOUBLE_gemv: matrix (m × n, strides s_m, s_n) times a vector of stride s_v.
void matmul_gemv(const double* matrix, Index s_m, Index s_n, const double* v, Index s_v, double* out, Index s_out,
                 Index m, Index n) {
  CBLAS_ORDER order;
  Index lda;
  if (is_blasable2d(s_m, s_n, m, n)) {
    order = CblasColMajor;
    lda = s_m;
  } else {
    order = CblasRowMajor;
    lda = s_n;
  }
  cblas_dgemv(order, CblasTrans, static_cast<int>(n), static_cast<int>(m), 1.0, matrix, static_cast<int>(lda), v,
              static_cast<int>(s_v), 0.0, out, static_cast<int>(s_out));
}

/// DOUBLE_matmul_matrixmatrix: dsyrk when b is a's transpose over the same memory, else dgemm.
void matmul_matrixmatrix(const ArrayView& a, const ArrayView& b, const Output& out) {
  const Index m = a.rows, n = a.cols, p = b.cols;
  const Index ldc = out.row_stride;
  CBLAS_TRANSPOSE trans1, trans2;
  Index lda, ldb;
  if (is_blasable2d(a.row_stride, a.col_stride, m, n)) {
    trans1 = CblasNoTrans;
    lda = a.row_stride;
  } else {
    trans1 = CblasTrans;
    lda = a.col_stride;
  }
  if (is_blasable2d(b.row_stride, b.col_stride, n, p)) {
    trans2 = CblasNoTrans;
    ldb = b.row_stride;
  } else {
    trans2 = CblasTrans;
    ldb = b.col_stride;
  }
  if (a.data == b.data && m == p && a.row_stride == b.col_stride && a.col_stride == b.row_stride && trans1 != trans2) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, trans1, static_cast<int>(p), static_cast<int>(n), 1.0, a.data,
                static_cast<int>(trans1 == CblasNoTrans ? lda : ldb), 0.0, out.data, static_cast<int>(ldc));
    for (Index i = 0; i < p; ++i)
      for (Index j = i + 1; j < p; ++j) out.data[j * ldc + i] = out.data[i * ldc + j];
  } else {
    cblas_dgemm(CblasRowMajor, trans1, trans2, static_cast<int>(m), static_cast<int>(p), static_cast<int>(n), 1.0,
                a.data, static_cast<int>(lda), b.data, static_cast<int>(ldb), 0.0, out.data, static_cast<int>(ldc));
  }
}

/// DOUBLE_matmul's choice among the routines for one (m × n) @ (n × p) product.
void matmul_dispatch(const ArrayView& a, const ArrayView& b, const Output& out) {
  assert(a.cols == b.rows);
  const Index dm = a.rows, dn = a.cols, dp = b.cols;
  if (dm == 0 || dn == 0 || dp == 0 || dm > INT_MAX - 1 || dn > INT_MAX - 1 || dp > INT_MAX - 1) {
    matmul_noblas(a, b, out);
    return;
  }
  const bool i1_blasable = is_blasable2d(a.row_stride, a.col_stride, dm, dn) || is_blasable2d(a.col_stride, a.row_stride, dn, dm);
  const bool i2_blasable = is_blasable2d(b.row_stride, b.col_stride, dn, dp) || is_blasable2d(b.col_stride, b.row_stride, dp, dn);
  if (dm == 1 || dn == 1 || dp == 1) {
    if (dm == 1 && dp == 1) {
      out.data[0] = double_dot(a.data, a.col_stride, b.data, b.row_stride, dn);
    } else if (dn == 1 && (dp == 1 || dm == 1)) {
      matmul_noblas(a, b, out);
    } else if (dm == 1 && i2_blasable && is_blasable2d(a.col_stride, 1, dn, 1)) {
      matmul_gemv(b.data, b.col_stride, b.row_stride, a.data, a.col_stride, out.data, out.col_stride, dp, dn);
    } else if (dp == 1 && i1_blasable && is_blasable2d(b.row_stride, 1, dn, 1)) {
      matmul_gemv(a.data, a.row_stride, a.col_stride, b.data, b.row_stride, out.data, out.row_stride, dm, dn);
    } else {
      matmul_noblas(a, b, out);
    }
    return;
  }
  // The output is always C-ordered here, so numpy's transposed (o_f_blasable) variant never applies.
  if (i1_blasable && i2_blasable) matmul_matrixmatrix(a, b, out);
  else matmul_noblas(a, b, out);
}

/// cblas_matrixproduct's shape classes.
enum class Shape { kScalar, kColumn, kRow, kMatrix };

Shape shape_of(const ArrayView& a) {
  if (a.rows > 1) return a.cols > 1 ? Shape::kMatrix : Shape::kColumn;
  return a.cols > 1 ? Shape::kRow : Shape::kScalar;
}

}  // namespace

ArrayView view(const RowMatrix& a) { return {a.data(), a.rows(), a.cols(), a.cols(), 1}; }
ArrayView view(const Eigen::MatrixXd& a) { return {a.data(), a.rows(), a.cols(), 1, a.rows()}; }

RowMatrix matmul(const ArrayView& a, const ArrayView& b) {
  RowMatrix out(a.rows, b.cols);
  matmul_dispatch(a, b, {out.data(), b.cols, 1});
  return out;
}

Eigen::VectorXd matmul(const ArrayView& a, const Eigen::VectorXd& v) {
  Eigen::VectorXd out(a.rows);
  // A 1-D second operand is a column whose missing axis has stride 0, and so is the output's.
  matmul_dispatch(a, {v.data(), v.size(), 1, 1, 0}, {out.data(), 1, 0});
  return out;
}

Eigen::VectorXd dot(const ArrayView& a, const Eigen::VectorXd& v) {
  assert(a.cols == v.size());
  Eigen::VectorXd out = Eigen::VectorXd::Zero(a.rows);
  if (a.rows == 0 || a.cols == 0) return out;
  const Shape a_shape = shape_of(a);
  if (a_shape == Shape::kScalar || v.size() == 1) {
    // A one-element operand: every output is a single product (numpy's scalar/axpy branch).
    for (Index i = 0; i < a.rows; ++i)
      for (Index j = 0; j < a.cols; ++j) out(i) += a.data[i * a.row_stride + j * a.col_stride] * v(j);
    return out;
  }
  if (a_shape == Shape::kRow) {
    out(0) = double_dot(a.data, a.col_stride, v.data(), 1, a.cols);
    return out;
  }
  // a is a column (rows > 1, one column) only with a one-element v, handled above.
  assert(a_shape == Shape::kMatrix);
  const bool c_contiguous = a.col_stride == 1 && a.row_stride == a.cols;
  const bool f_contiguous = a.row_stride == 1 && a.col_stride == a.rows;
  assert(c_contiguous || f_contiguous);  // numpy copies other layouts to C order first
  (void)f_contiguous;
  const CBLAS_ORDER order = c_contiguous ? CblasRowMajor : CblasColMajor;
  const Index lda = c_contiguous ? a.cols : a.rows;
  cblas_dgemv(order, CblasNoTrans, static_cast<int>(a.rows), static_cast<int>(a.cols), 1.0, a.data,
              static_cast<int>(lda), v.data(), 1, 0.0, out.data(), 1);
  return out;
}

double dot(const Eigen::VectorXd& u, const Eigen::VectorXd& v) {
  assert(u.size() == v.size());
  if (u.size() == 1) return u(0) * v(0);
  return double_dot(u.data(), 1, v.data(), 1, u.size());
}

}  // namespace oh::regress::numerics
