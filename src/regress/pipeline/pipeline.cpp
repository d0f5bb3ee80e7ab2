#include "regress/pipeline/pipeline.h"

namespace oh::regress {

Pipeline::Pipeline(std::vector<std::unique_ptr<Transformer>> steps, std::unique_ptr<Regressor> estimator)
    : steps_(std::move(steps)), estimator_(std::move(estimator)) {}

void Pipeline::fit(const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size()) throw MethodFailure("pipeline: needs matching, non-empty X and y");
  Matrix features = X;
  for (auto& step : steps_) {
    step->fit(features);
    features = step->transform(features);
  }
  estimator_->fit(features, y);
}

Vector Pipeline::predict(const Matrix& X) const {
  Matrix features = X;
  for (const auto& step : steps_) features = step->transform(features);
  return estimator_->predict(features);
}

}  // namespace oh::regress
