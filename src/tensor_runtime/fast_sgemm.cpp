// Fortran BLAS sgemm_/sgemv_ served by oneDNN's dnnl_sgemm (see CMakeLists.txt for why).
// BLAS semantics are kept exactly: quick returns, beta = 0 never reads C or y, alpha = 0 never
// reads A, B or x. Calls whose arguments BLAS rejects (and negative vector increments, which
// oneDNN cannot express) go to the next definition in the lookup order, the reference BLAS, so
// its error reporting (xerbla) and results are unchanged.
#include "tensor_runtime/fast_sgemm.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" {
// oneDNN's C API (oneapi/dnnl/dnnl.h, oneDNN 2.x; the -dev package is not needed for one
// function): row-major C = alpha op(A) op(B) + beta C. dnnl_dim_t is int64_t; dnnl_status_t is an
// enum whose dnnl_success is 0.
int dnnl_sgemm(char transa, char transb, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
               const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta, float* C,
               std::int64_t ldc);
}

namespace oh::tensor_runtime {
namespace {

std::atomic<std::uint64_t> served_calls{0};

// OH_FAST_SGEMM=0 in the environment hands every call to the reference BLAS: the before/after
// comparison in one binary, without a second build.
bool disabled_by_environment() {
  static const bool disabled = [] {
    const char* value = std::getenv("OH_FAST_SGEMM");
    return value != nullptr && std::string(value) == "0";
  }();
  return disabled;
}

// gfortran's ABI appends the lengths of CHARACTER arguments.
using ReferenceSgemm = void (*)(const char*, const char*, const int*, const int*, const int*,
                                const float*, const float*, const int*, const float*, const int*,
                                const float*, float*, const int*, std::size_t, std::size_t);
using ReferenceSgemv = void (*)(const char*, const int*, const int*, const float*, const float*,
                                const int*, const float*, const int*, const float*, float*,
                                const int*, std::size_t);

// The definition after ours in the lookup order: the system BLAS that libtorch links.
void* next_definition(const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "fast_sgemm: no %s after the interposer (is libblas.so.3 loaded?)\n", name);
    std::abort();
  }
  return symbol;
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool is_transpose_flag(char c) { return c == 'N' || c == 'T' || c == 'C'; }

// For real data 'C' (conjugate transpose) is 'T'; oneDNN knows only 'N' and 'T'.
char dnnl_flag(char c) { return c == 'N' ? 'N' : 'T'; }

// C(m×n, column-major, leading dimension ldc) = beta C, the whole product being zero.
void scale_columns(std::int64_t m, std::int64_t n, float beta, float* c, std::int64_t ldc) {
  for (std::int64_t j = 0; j < n; ++j) {
    float* column = c + j * ldc;
    if (beta == 0.0f) {
      std::fill(column, column + m, 0.0f);
    } else {
      for (std::int64_t i = 0; i < m; ++i) column[i] *= beta;
    }
  }
}

// Column-major C = alpha op(A) op(B) + beta C through oneDNN's row-major GEMM: the column-major
// m×n C is the row-major n×m C^T = op(B)^T op(A)^T, and a column-major operand read row-major is
// its own transpose, so the operands swap and the flags stay. Returns false when oneDNN refused.
bool column_major_gemm(char transa, char transb, std::int64_t m, std::int64_t n, std::int64_t k,
                       float alpha, const float* a, std::int64_t lda, const float* b,
                       std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  return dnnl_sgemm(dnnl_flag(transb), dnnl_flag(transa), n, m, k, alpha, b, ldb, a, lda, beta, c,
                    ldc) == 0;
}

}  // namespace

std::uint64_t fast_sgemm_calls() { return served_calls.load(std::memory_order_relaxed); }

}  // namespace oh::tensor_runtime

using namespace oh::tensor_runtime;

extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc) {
  const char ta = upper(*transa), tb = upper(*transb);
  const int rows_a = ta == 'N' ? *m : *k;
  const int rows_b = tb == 'N' ? *k : *n;
  const bool valid = is_transpose_flag(ta) && is_transpose_flag(tb) && *m >= 0 && *n >= 0 &&
                     *k >= 0 && *lda >= std::max(1, rows_a) && *ldb >= std::max(1, rows_b) &&
                     *ldc >= std::max(1, *m);
  const auto reference = [&] {
    reinterpret_cast<ReferenceSgemm>(next_definition("sgemm_"))(
        transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1, 1);
  };
  if (!valid || disabled_by_environment()) return reference();
  if (*m == 0 || *n == 0 || ((*alpha == 0.0f || *k == 0) && *beta == 1.0f)) return;
  if (*alpha == 0.0f || *k == 0) {
    scale_columns(*m, *n, *beta, c, *ldc);
  } else if (!column_major_gemm(ta, tb, *m, *n, *k, *alpha, a, *lda, b, *ldb, *beta, c, *ldc)) {
    return reference();
  }
  served_calls.fetch_add(1, std::memory_order_relaxed);
}

// y = alpha op(A) x + beta y is the GEMM y^T = alpha x^T op(A)^T + beta y^T with one row: x^T is a
// 1×len(x) matrix whose leading dimension is incx, y^T one whose leading dimension is incy.
extern "C" void sgemv_(const char* trans, const int* m, const int* n, const float* alpha,
                       const float* a, const int* lda, const float* x, const int* incx,
                       const float* beta, float* y, const int* incy) {
  const char t = upper(*trans);
  const bool valid = is_transpose_flag(t) && *m >= 0 && *n >= 0 && *lda >= std::max(1, *m) &&
                     *incx != 0 && *incy != 0;
  if (!valid || *incx < 0 || *incy < 0 || disabled_by_environment()) {
    reinterpret_cast<ReferenceSgemv>(next_definition("sgemv_"))(trans, m, n, alpha, a, lda, x, incx,
                                                                beta, y, incy, 1);
    return;
  }
  if (*m == 0 || *n == 0 || (*alpha == 0.0f && *beta == 1.0f)) return;
  const int length_y = t == 'N' ? *m : *n;
  const int length_x = t == 'N' ? *n : *m;
  if (*alpha == 0.0f) {
    scale_columns(1, length_y, *beta, y, *incy);
  } else if (!column_major_gemm('N', t == 'N' ? 'T' : 'N', 1, length_y, length_x, *alpha, x, *incx,
                                a, *lda, *beta, y, *incy)) {
    reinterpret_cast<ReferenceSgemv>(next_definition("sgemv_"))(trans, m, n, alpha, a, lda, x, incx,
                                                                beta, y, incy, 1);
    return;
  }
  served_calls.fetch_add(1, std::memory_order_relaxed);
}
