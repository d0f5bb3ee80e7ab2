#pragma once
// scikit-learn's PolynomialFeatures (dense): monomials of degree 0..degree in the order of
// itertools.combinations_with_replacement, each degree-d column built as the degree-(d-1) column
// times one input feature, exactly as scikit-learn multiplies them (so values agree bit for bit).
#include <cstdint>

#include "regress/preprocess/transformer.h"

namespace oh::regress {

class PolynomialFeatures final : public Transformer {
 public:
  PolynomialFeatures(int degree, bool include_bias);
  void fit(const Matrix& X) override;
  Matrix transform(const Matrix& X) const override;

  /// Output columns for `n_features` inputs: C(n_features + degree, degree), less one without bias.
  static int64_t output_columns(int64_t n_features, int degree, bool include_bias);

 private:
  int degree_;
  bool include_bias_;
  Eigen::Index n_features_ = -1;
};

}  // namespace oh::regress
