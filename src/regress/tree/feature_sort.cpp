#include "regress/tree/feature_sort.h"

#include <cmath>
#include <utility>

namespace oh::regress::tree {
namespace {

inline void swap_both(float* values, int* samples, std::ptrdiff_t i, std::ptrdiff_t j) {
  std::swap(values[i], values[j]);
  std::swap(samples[i], samples[j]);
}

// Median of the first, middle and last values (Bentley & McIlroy), compared in this order.
float median_of_three(const float* values, std::ptrdiff_t n) {
  const float a = values[0], b = values[n / 2], c = values[n - 1];
  if (a < b) {
    if (b < c) return b;
    return a < c ? c : a;
  }
  if (b < c) return a < c ? a : c;
  return b;
}

// Moves the largest of values[root], its children, down until the heap below `root` is ordered.
void sift_down(float* values, int* samples, std::ptrdiff_t root, std::ptrdiff_t end) {
  for (;;) {
    const std::ptrdiff_t child = root * 2 + 1;
    std::ptrdiff_t largest = root;
    if (child < end && values[largest] < values[child]) largest = child;
    if (child + 1 < end && values[largest] < values[child + 1]) largest = child + 1;
    if (largest == root) return;
    swap_both(values, samples, root, largest);
    root = largest;
  }
}

void heapsort(float* values, int* samples, std::ptrdiff_t n) {
  for (std::ptrdiff_t start = (n - 2) / 2;; --start) {
    sift_down(values, samples, start, n);
    if (start == 0) break;
  }
  for (std::ptrdiff_t end = n - 1; end > 0; --end) {
    swap_both(values, samples, 0, end);
    sift_down(values, samples, 0, end);
  }
}

void introsort(float* values, int* samples, std::ptrdiff_t n, int depth_budget) {
  while (n > 1) {
    if (depth_budget <= 0) {
      heapsort(values, samples, n);
      return;
    }
    --depth_budget;
    const float pivot = median_of_three(values, n);
    // Three-way partition: [0, less) < pivot, [less, greater) == pivot, [greater, n) > pivot.
    std::ptrdiff_t i = 0, less = 0, greater = n;
    while (i < greater) {
      if (values[i] < pivot) {
        swap_both(values, samples, i++, less++);
      } else if (values[i] > pivot) {
        swap_both(values, samples, i, --greater);
      } else {
        ++i;
      }
    }
    introsort(values, samples, less, depth_budget);
    values += greater;
    samples += greater;
    n -= greater;
  }
}

}  // namespace

void sort_feature_values(float* values, int* samples, std::ptrdiff_t n) {
  if (n == 0) return;
  // scikit-learn's `log` here is its own base-2 log, ln(x) / ln(2).
  introsort(values, samples, n, 2 * static_cast<int>(std::log(static_cast<double>(n)) / std::log(2.0)));
}

}  // namespace oh::regress::tree
