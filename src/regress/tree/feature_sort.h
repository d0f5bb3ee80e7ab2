#pragma once
// The splitter's sort of a node's feature values together with its sample indices: scikit-learn's
// own introsort (median-of-3 pivot, 3-way partition, heapsort past depth 2·log2 n). It is not
// stable, and the order it leaves equal values in decides the order in which the criterion
// accumulates sums, so the last bits of every impurity depend on reproducing it exactly.
#include <cstddef>

namespace oh::regress::tree {

/// One sample's value of the feature being sorted. scikit-learn keeps values and sample indices
/// in two arrays and swaps both; one array of pairs makes the same swaps with half the moves.
struct FeatureValue {
  float value;
  int sample;
};

/// Sorts items[0, n) by value ascending, making exactly scikit-learn's sequence of swaps.
void sort_feature_values(FeatureValue* items, std::ptrdiff_t n);

}  // namespace oh::regress::tree
