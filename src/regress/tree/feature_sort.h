#pragma once
// The splitter's sort of a node's feature values together with its sample indices: scikit-learn's
// own introsort (median-of-3 pivot, 3-way partition, heapsort past depth 2·log2 n). It is not
// stable, and the order it leaves equal values in decides the order in which the criterion
// accumulates sums, so the last bits of every impurity depend on reproducing it exactly.
#include <cstddef>

namespace oh::regress::tree {

/// Sorts values[0, n) ascending, applying the same swaps to samples[0, n).
void sort_feature_values(float* values, int* samples, std::ptrdiff_t n);

}  // namespace oh::regress::tree
