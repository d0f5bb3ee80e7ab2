#include "icl/kernels/lsa_context_loops.h"

#include <ATen/Parallel.h>

namespace oh::icl::kernels {
namespace {

constexpr int64_t kExamplesPerTask = 64;  // grain of the batch split

template <typename T>
T dot(const T* a, const T* b, int64_t n) {
  T sum = 0;
  for (int64_t k = 0; k < n; ++k) sum += a[k] * b[k];
  return sum;
}

/// y += alpha x
template <typename T>
void axpy(T alpha, const T* x, T* y, int64_t n) {
  for (int64_t k = 0; k < n; ++k) y[k] += alpha * x[k];
}

}  // namespace

template <typename T>
void apply_context_moments(const ContextShape& s, const T* tokens, const T* u, T* w) {
  const int64_t d = s.dim, stride = (s.context + 1) * d, heads = s.heads * d;
  at::parallel_for(0, s.batch, kExamplesPerTask, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const T* e = tokens + b * stride;
      for (int64_t h = 0; h < s.heads; ++h) {
        const T* uh = u + b * heads + h * d;
        T* wh = w + b * heads + h * d;
        for (int64_t k = 0; k < d; ++k) wh[k] = 0;
        for (int64_t i = 0; i < s.context; ++i) axpy(dot(e + i * d, uh, d), e + i * d, wh, d);
      }
    }
  });
}

template <typename T>
void apply_context_moments_backward(const ContextShape& s, const T* tokens, const T* u, const T* r, T* du, T* d_tokens) {
  const int64_t d = s.dim, stride = (s.context + 1) * d, heads = s.heads * d;
  at::parallel_for(0, s.batch, kExamplesPerTask, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const T* e = tokens + b * stride;
      for (int64_t h = 0; h < s.heads; ++h) {
        const T* uh = u + b * heads + h * d;
        const T* rh = r + b * heads + h * d;
        T* duh = du + b * heads + h * d;
        for (int64_t k = 0; k < d; ++k) duh[k] = 0;
        for (int64_t i = 0; i < s.context; ++i) {
          const T* ei = e + i * d;
          const T er = dot(ei, rh, d);
          axpy(er, ei, duh, d);
          if (d_tokens) {
            T* gi = d_tokens + b * stride + i * d;
            axpy(dot(ei, uh, d), rh, gi, d);
            axpy(er, uh, gi, d);
          }
        }
      }
    }
  });
}

template void apply_context_moments<float>(const ContextShape&, const float*, const float*, float*);
template void apply_context_moments<double>(const ContextShape&, const double*, const double*, double*);
template void apply_context_moments_backward<float>(const ContextShape&, const float*, const float*, const float*, float*, float*);
template void apply_context_moments_backward<double>(const ContextShape&, const double*, const double*, const double*, double*, double*);

}  // namespace oh::icl::kernels
