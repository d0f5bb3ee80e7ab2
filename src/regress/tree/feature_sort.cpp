#include "regress/tree/feature_sort.h"

#include <cmath>
#include <utility>

namespace oh::regress::tree {
namespace {

// Median of the first, middle and last values (Bentley & McIlroy), compared in this order.
float median_of_three(const FeatureValue* items, std::ptrdiff_t n) {
  const float a = items[0].value, b = items[n / 2].value, c = items[n - 1].value;
  if (a < b) {
    if (b < c) return b;
    return a < c ? c : a;
  }
  if (b < c) return a < c ? a : c;
  return b;
}

// Moves the largest of values[root], its children, down until the heap below `root` is ordered.
void sift_down(FeatureValue* items, std::ptrdiff_t root, std::ptrdiff_t end) {
  for (;;) {
    const std::ptrdiff_t child = root * 2 + 1;
    std::ptrdiff_t largest = root;
    if (child < end && items[largest].value < items[child].value) largest = child;
    if (child + 1 < end && items[largest].value < items[child + 1].value) largest = child + 1;
    if (largest == root) return;
    std::swap(items[root], items[largest]);
    root = largest;
  }
}

void heapsort(FeatureValue* items, std::ptrdiff_t n) {
  for (std::ptrdiff_t start = (n - 2) / 2;; --start) {
    sift_down(items, start, n);
    if (start == 0) break;
  }
  for (std::ptrdiff_t end = n - 1; end > 0; --end) {
    std::swap(items[0], items[end]);
    sift_down(items, 0, end);
  }
}

void introsort(FeatureValue* items, std::ptrdiff_t n, int depth_budget) {
  while (n > 1) {
    if (depth_budget <= 0) {
      heapsort(items, n);
      return;
    }
    --depth_budget;
    const float pivot = median_of_three(items, n);
    // Three-way partition: [0, less) < pivot, [less, greater) == pivot, [greater, n) > pivot.
    std::ptrdiff_t i = 0, less = 0, greater = n;
    while (i < greater) {
      if (items[i].value < pivot) {
        std::swap(items[i++], items[less++]);
      } else if (items[i].value > pivot) {
        std::swap(items[i], items[--greater]);
      } else {
        ++i;
      }
    }
    introsort(items, less, depth_budget);
    items += greater;
    n -= greater;
  }
}

}  // namespace

void sort_feature_values(FeatureValue* items, std::ptrdiff_t n) {
  if (n == 0) return;
  // scikit-learn's `log` here is its own base-2 log, ln(x) / ln(2).
  introsort(items, n, 2 * static_cast<int>(std::log(static_cast<double>(n)) / std::log(2.0)));
}

}  // namespace oh::regress::tree
