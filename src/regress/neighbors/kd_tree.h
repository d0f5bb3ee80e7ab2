#pragma once
// The visiting order of scikit-learn's KDTree (leaf_size 30): nodes split at the median of the
// widest dimension by std::nth_element with index tie-breaking, queried depth-first nearest
// child first, with nodes trimmed when their lower bound exceeds the current k-th distance.
// Pushing rows into scikit-learn's neighbour heap in this order reproduces its choice among
// equally distant rows, which a plain row-order scan does not once the tree has two levels
// (n_train ≥ 62).
#include <vector>

#include "regress/regressor.h"

namespace oh::regress {

class KdTreeOrder {
 public:
  KdTreeOrder(const Matrix& X, double p, int leaf_size = 30);
  /// Pushes the training rows into the heap (values/indices of size k) as KDTree.query does.
  void query(const double* point, long point_stride, double* heap_values, long* heap_indices, int k) const;

 private:
  struct Node {
    long start = 0, end = 0;
    bool leaf = true;
  };
  void build(long node, long start, long end);
  double min_reduced_distance(long node, const double* point, long point_stride) const;
  void visit(long node, const double* point, long point_stride, double lower_bound, double* values, long* indices,
             int k) const;

  std::vector<double> data_;  // row-major copy, as scikit-learn stores it
  long n_features_;
  double p_;
  std::vector<long> order_;
  std::vector<Node> nodes_;
  std::vector<double> lower_, upper_;  // node bounds, n_nodes × n_features
};

}  // namespace oh::regress
