#include "regress/baselines/baselines.h"

#include <string>

#include "core/numpy_random.h"
#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

void require_targets(const char* method, const Vector& y) {
  if (y.size() == 0) throw MethodFailure(std::string(method) + ": no training targets");
}

}  // namespace

void AverageBaseline::fit(const Matrix&, const Vector& y) {
  require_targets("average", y);
  value_ = numerics::mean(y);
}

void LastBaseline::fit(const Matrix&, const Vector& y) {
  require_targets("last", y);
  value_ = y(y.size() - 1);
}

void RandomBaseline::fit(const Matrix&, const Vector& y) {
  require_targets("random", y);
  y_ = y;
}

Vector RandomBaseline::predict(const Matrix& X) const {
  // A fresh generator per predict call: predictions depend only on (seed, y_train, test count).
  PythonRandom rng(seed_);
  Vector out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) out(i) = y_(static_cast<Eigen::Index>(rng.choice_index(y_.size())));
  return out;
}

}  // namespace oh::regress
