#pragma once
// scikit-learn's StandardScaler: (x - mean) / std with the population std, computed by the
// corrected two-pass algorithm; a column indistinguishable from a constant keeps scale 1.
#include "regress/preprocess/transformer.h"

namespace oh::regress {

class StandardScaler final : public Transformer {
 public:
  void fit(const Matrix& X) override;
  Matrix transform(const Matrix& X) const override;
  const Eigen::RowVectorXd& mean() const { return mean_; }
  const Eigen::RowVectorXd& scale() const { return scale_; }

 private:
  Eigen::RowVectorXd mean_, scale_;
};

}  // namespace oh::regress
