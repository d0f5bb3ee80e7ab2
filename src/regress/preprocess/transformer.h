#pragma once
// A feature transformer fitted on training rows and applied to any rows, like a scikit-learn
// pipeline step before the final estimator.
#include "regress/regressor.h"

namespace oh::regress {

class Transformer {
 public:
  virtual ~Transformer() = default;
  /// Learns what the transformation needs from the training rows (rows are samples).
  virtual void fit(const Matrix& X) = 0;
  /// Transforms rows with what `fit` learned; the column count must match the training rows.
  virtual Matrix transform(const Matrix& X) const = 0;
};

}  // namespace oh::regress
