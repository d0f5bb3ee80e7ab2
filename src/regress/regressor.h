#pragma once
// The classical-regressor interface (DESIGN §4.5). A regressor is fitted on one seed's training
// rows and predicts its test rows; hyperparameters are scikit-learn's defaults unless the
// registry entry says otherwise.
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace oh::regress {

using Matrix = Eigen::MatrixXd;  // rows are samples, columns are features
using Vector = Eigen::VectorXd;

/// Options every factory receives; each regressor reads the ones it needs.
struct RegressorOptions {
  uint32_t random_state = 0;  // the preset's `rs` (DESIGN §4.3)
  double constant = 0.0;      // the `constant` baseline's prediction (--constant)
  int gd_steps = 2;           // gd_regression's steps and learning rate (optim_hunter's defaults)
  double gd_lr = 0.01;
};

/// Thrown by fit/predict when a method cannot run on the given data (k > n_train, a constant
/// column for a scaler, ...). The run records `failed:<reason>` and goes on (DESIGN §3).
class MethodFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Regressor {
 public:
  virtual ~Regressor() = default;
  /// Fits on X (n × d) and y (n). Throws MethodFailure when the data do not allow it.
  virtual void fit(const Matrix& X, const Vector& y) = 0;
  /// Predicts each row of X (m × d) after `fit`.
  virtual Vector predict(const Matrix& X) const = 0;
};

}  // namespace oh::regress
