#pragma once
// scikit-learn's KNeighborsRegressor (algorithm='auto', leaf_size 30) on Minkowski distances.
// Neighbours are chosen as scikit-learn's neighbour heap chooses them, rows pushed in the order
// its algorithm visits them: row order for brute force (k ≥ n/2 or more than 15 features) and a
// one-leaf KD-tree, the KD-tree's order otherwise. That decides ties between equally distant
// rows. For p < 1 (not a metric, rejected by scikit-learn 1.2.1) the neighbours are the
// brute-force reference's: a stable sort on the distances after the 1/p power.
#include <memory>
#include <vector>

#include "regress/neighbors/kd_tree.h"
#include "regress/regressor.h"

namespace oh::regress {

enum class NeighborWeights { kUniform, kDistance };

class KNeighborsRegressor final : public Regressor {
 public:
  /// k = 0 picks the adaptive rule of knn_v5_adaptable: 1 if n < 3, 3 if n < 7, else 5.
  KNeighborsRegressor(int k, NeighborWeights weights, double p = 2.0);
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  /// Fills the k nearest training rows of `point` (reduced distances and row indices), nearest
  /// first with equal distances by row.
  void neighbors(const double* point, long stride, double* values, long* indices, std::vector<double>& scratch,
                 std::vector<long>& order) const;

  int requested_k_;
  int k_ = 0;
  NeighborWeights weights_;
  double p_;
  Matrix X_;
  Vector y_;
  std::unique_ptr<KdTreeOrder> tree_;  // null when scikit-learn would use brute force
};

}  // namespace oh::regress
