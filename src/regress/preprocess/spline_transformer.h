#pragma once
// scikit-learn's SplineTransformer with knots='uniform', include_bias=True and
// extrapolation='constant': per feature, n_knots equally spaced knots over the training range,
// extended by `degree` knots on each side at the end spacings, giving n_knots + degree - 1
// B-spline columns per feature.
#include <vector>

#include "regress/preprocess/transformer.h"

namespace oh::regress {

class SplineTransformer final : public Transformer {
 public:
  SplineTransformer(int n_knots, int degree);
  void fit(const Matrix& X) override;
  Matrix transform(const Matrix& X) const override;

  int splines_per_feature() const { return n_knots_ + degree_ - 1; }
  /// The full knot vector of feature j after `fit` (n_knots + 2·degree values).
  const std::vector<double>& knots(Eigen::Index j) const { return knots_[static_cast<size_t>(j)]; }

 private:
  /// The degree+1 B-splines that can be non-zero at x, for x in [t[degree], t[n_splines]].
  void basis_at(const std::vector<double>& t, double x, double* values, int* first) const;

  int n_knots_, degree_;
  std::vector<std::vector<double>> knots_;
};

}  // namespace oh::regress
