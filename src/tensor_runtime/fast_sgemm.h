#pragma once
// The float BLAS interposer (fast_sgemm.cpp): how many calls it has taken, so that tests and
// benchmarks can show that libtorch's GEMMs really reach it.
#include <cstdint>

namespace oh::tensor_runtime {

// Calls to sgemm_/sgemv_ served by oneDNN since the process started (not those handed back to
// the reference BLAS: invalid arguments, negative increments, OH_FAST_SGEMM=0).
std::uint64_t fast_sgemm_calls();

}  // namespace oh::tensor_runtime
