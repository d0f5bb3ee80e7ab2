#pragma once
// np.argsort with its default, unstable introsort: its order among equal predictions decides
// the order of AdaBoost's weighted-median cumulative sums, hence their last bits.
#include <vector>

namespace oh::regress::tree {

/// np.argsort(values) with kind="quicksort" (numpy 1.24's aquicksort), order of ties included.
std::vector<int> numpy_argsort(const std::vector<double>& values);

}  // namespace oh::regress::tree
