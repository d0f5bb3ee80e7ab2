#pragma once
// A scikit-learn Pipeline: transformers fitted and applied in order, then a final regressor.
#include <memory>
#include <vector>

#include "regress/preprocess/transformer.h"

namespace oh::regress {

class Pipeline final : public Regressor {
 public:
  Pipeline(std::vector<std::unique_ptr<Transformer>> steps, std::unique_ptr<Regressor> estimator);
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  std::vector<std::unique_ptr<Transformer>> steps_;
  std::unique_ptr<Regressor> estimator_;
};

}  // namespace oh::regress
