#include "regress/neighbors/kd_tree.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "regress/neighbors/minkowski.h"

namespace oh::regress {

KdTreeOrder::KdTreeOrder(const Matrix& X, double p, int leaf_size) : n_features_(X.cols()), p_(p) {
  const long n = X.rows();
  data_.resize(static_cast<size_t>(n * n_features_));
  for (long i = 0; i < n; ++i)
    for (long j = 0; j < n_features_; ++j) data_[i * n_features_ + j] = X(i, j);
  const double ratio = std::fmax(1.0, static_cast<double>(n - 1) / leaf_size);
  const int levels = static_cast<int>(std::log2(ratio) + 1);
  const long n_nodes = (1L << levels) - 1;
  nodes_.resize(static_cast<size_t>(n_nodes));
  lower_.resize(static_cast<size_t>(n_nodes * n_features_));
  upper_.resize(static_cast<size_t>(n_nodes * n_features_));
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), 0L);
  build(0, 0, n);
}

void KdTreeOrder::build(long node, long start, long end) {
  Node& info = nodes_[node];
  info.start = start;
  info.end = end;
  for (long j = 0; j < n_features_; ++j) {
    double lo = INFINITY, hi = -INFINITY;
    for (long i = start; i < end; ++i) {
      const double v = data_[order_[i] * n_features_ + j];
      lo = std::fmin(lo, v);
      hi = std::fmax(hi, v);
    }
    lower_[node * n_features_ + j] = lo;
    upper_[node * n_features_ + j] = hi;
  }
  const long count = end - start;
  if (2 * node + 1 >= static_cast<long>(nodes_.size()) || count < 2) {
    info.leaf = true;
    return;
  }
  info.leaf = false;
  // The widest dimension (first on equal spread), then scikit-learn's index-stable nth_element.
  long split_dim = 0;
  double max_spread = 0.0;
  for (long j = 0; j < n_features_; ++j) {
    double hi = data_[order_[start] * n_features_ + j], lo = hi;
    for (long i = start + 1; i < end; ++i) {
      const double v = data_[order_[i] * n_features_ + j];
      hi = std::fmax(hi, v);
      lo = std::fmin(lo, v);
    }
    if (hi - lo > max_spread) {
      max_spread = hi - lo;
      split_dim = j;
    }
  }
  const long mid = count / 2;
  const double* data = data_.data();
  const long stride = n_features_;
  std::nth_element(order_.begin() + start, order_.begin() + start + mid, order_.begin() + end,
                   [data, stride, split_dim](long a, long b) {
                     const double va = data[a * stride + split_dim], vb = data[b * stride + split_dim];
                     return va == vb ? a < b : va < vb;
                   });
  build(2 * node + 1, start, start + mid);
  build(2 * node + 2, start + mid, end);
}

double KdTreeOrder::min_reduced_distance(long node, const double* point, long point_stride) const {
  double sum = 0.0;
  for (long j = 0; j < n_features_; ++j) {
    const double d_lo = lower_[node * n_features_ + j] - point[j * point_stride];
    const double d_hi = point[j * point_stride] - upper_[node * n_features_ + j];
    const double d = (d_lo + std::fabs(d_lo)) + (d_hi + std::fabs(d_hi));
    sum += std::pow(0.5 * d, p_);
  }
  return sum;
}

void KdTreeOrder::visit(long node, const double* point, long point_stride, double lower_bound, double* values,
                        long* indices, int k) const {
  if (lower_bound > values[0]) return;  // trimmed: nothing inside can beat the current k-th
  const Node& info = nodes_[node];
  if (info.leaf) {
    for (long i = info.start; i < info.end; ++i) {
      const long row = order_[i];
      const double reduced = minkowski_reduced(point, &data_[row * n_features_], n_features_, point_stride, 1, p_);
      neighbor_heap_push(values, indices, k, reduced, row);
    }
    return;
  }
  const long left = 2 * node + 1, right = left + 1;
  const double bound_left = min_reduced_distance(left, point, point_stride);
  const double bound_right = min_reduced_distance(right, point, point_stride);
  if (bound_left <= bound_right) {
    visit(left, point, point_stride, bound_left, values, indices, k);
    visit(right, point, point_stride, bound_right, values, indices, k);
  } else {
    visit(right, point, point_stride, bound_right, values, indices, k);
    visit(left, point, point_stride, bound_left, values, indices, k);
  }
}

void KdTreeOrder::query(const double* point, long point_stride, double* heap_values, long* heap_indices, int k) const {
  visit(0, point, point_stride, min_reduced_distance(0, point, point_stride), heap_values, heap_indices, k);
}

}  // namespace oh::regress
