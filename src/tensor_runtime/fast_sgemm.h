#pragma once
// The float BLAS interposer (fast_sgemm.cpp): how many calls it has taken, so that tests and
// benchmarks can show that libtorch's GEMMs really reach it.
#include <cstdint>

// The Fortran BLAS entry points the interposer defines (reference BLAS argument conventions).
extern "C" {
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc);
void sgemv_(const char* trans, const int* m, const int* n, const float* alpha, const float* a,
            const int* lda, const float* x, const int* incx, const float* beta, float* y,
            const int* incy);
}

namespace oh::tensor_runtime {

// Calls to sgemm_/sgemv_ served by oneDNN since the process started (not those handed back to
// the reference BLAS: invalid arguments, negative increments, OH_FAST_SGEMM=0).
std::uint64_t fast_sgemm_calls();

}  // namespace oh::tensor_runtime
