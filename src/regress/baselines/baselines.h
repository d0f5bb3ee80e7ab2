#pragma once
// Baselines that ignore the features (DESIGN §4.5): the training mean, the last training target,
// a seeded random training target per test row, and a fixed constant.
#include <cstdint>

#include "regress/regressor.h"

namespace oh::regress {

/// np.mean(y_train) (numpy's pairwise summation) for every test row.
class AverageBaseline final : public Regressor {
 public:
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override { return Vector::Constant(X.rows(), value_); }

 private:
  double value_ = 0.0;
};

/// y_train[-1]: the last training row in split order.
class LastBaseline final : public Regressor {
 public:
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override { return Vector::Constant(X.rows(), value_); }

 private:
  double value_ = 0.0;
};

/// random.Random(seed).choice(y_train) for each test row in turn, from one generator.
class RandomBaseline final : public Regressor {
 public:
  explicit RandomBaseline(int64_t seed) : seed_(seed) {}
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 private:
  int64_t seed_;
  Vector y_;
};

/// A user-given constant (--constant).
class ConstantBaseline final : public Regressor {
 public:
  explicit ConstantBaseline(double value) : value_(value) {}
  void fit(const Matrix&, const Vector&) override {}
  Vector predict(const Matrix& X) const override { return Vector::Constant(X.rows(), value_); }

 private:
  double value_;
};

}  // namespace oh::regress
