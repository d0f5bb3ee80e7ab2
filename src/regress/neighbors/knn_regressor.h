#pragma once
// scikit-learn's KNeighborsRegressor by brute force on Minkowski distances. Neighbours are kept
// as scikit-learn's neighbour heap keeps them while scanning the training rows in order (a
// candidate enters only if strictly closer than the current k-th), which decides ties; p < 1
// (not a metric, rejected by scikit-learn 1.2.1) is the brute-force reference's definition.
#include <vector>

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
  /// The reduced distance that orders neighbours (Σ|d|^p; Σd² for p = 2) and its conversion.
  double reduced_distance(const Matrix& X, Eigen::Index row, Eigen::Index train) const;
  double distance_from_reduced(double reduced) const;

  int requested_k_;
  int k_ = 0;
  NeighborWeights weights_;
  double p_;
  Matrix X_;
  Vector y_;
};

}  // namespace oh::regress
