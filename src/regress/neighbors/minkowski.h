#pragma once
// Minkowski distances as scikit-learn computes them: neighbours are ranked by the reduced
// distance (Σd² for p = 2, Σ|d| for p = 1, Σ|d|^p otherwise) and converted at the end.
#include <cmath>

namespace oh::regress {

inline double minkowski_reduced(const double* a, const double* b, long n, long stride_a, long stride_b, double p) {
  double sum = 0.0;
  for (long j = 0; j < n; ++j) {
    const double d = a[j * stride_a] - b[j * stride_b];
    if (p == 2.0) sum += d * d;
    else if (p == 1.0) sum += std::fabs(d);
    else if (p == 0.5) sum += std::sqrt(std::fabs(d));  // numpy's x**0.5 fast path (reference, p < 1)
    else sum += std::pow(std::fabs(d), p);
  }
  return sum;
}

inline double minkowski_from_reduced(double reduced, double p) {
  if (p == 2.0) return std::sqrt(reduced);
  if (p == 1.0) return reduced;
  if (p == 0.5) return reduced * reduced;  // numpy's x**2.0 fast path
  return std::pow(reduced, 1.0 / p);
}

/// scikit-learn's heap_push on a max-heap of `size` (value, index) pairs: rejects a value not
/// strictly below the root, otherwise replaces the root and sifts it down. Which of several
/// equally distant rows survive depends on this and on the order rows are pushed.
inline void neighbor_heap_push(double* values, long* indices, int size, double value, long index) {
  if (value >= values[0]) return;
  int current = 0;
  while (true) {
    const int left = 2 * current + 1, right = left + 1;
    int swap = -1;
    if (left >= size) break;
    if (right >= size) {
      if (values[left] > value) swap = left;
    } else if (values[left] >= values[right]) {
      if (value < values[left]) swap = left;
    } else if (value < values[right]) {
      swap = right;
    }
    if (swap < 0) break;
    values[current] = values[swap];
    indices[current] = indices[swap];
    current = swap;
  }
  values[current] = value;
  indices[current] = index;
}

}  // namespace oh::regress
