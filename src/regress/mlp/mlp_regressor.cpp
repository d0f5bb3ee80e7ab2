#include "regress/mlp/mlp_regressor.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace oh::regress::mlp {

MlpRegressor::MlpRegressor(MlpOptions options) : options_(std::move(options)) {}

void MlpRegressor::fit(const Matrix& X, const Vector& y) {
  if (X.rows() < 1 || X.cols() < 1) throw MethodFailure("MLP needs at least one sample and one feature");
  if (X.rows() != y.size())
    throw InputError("MLP fit: X has " + std::to_string(X.rows()) + " rows but y has " + std::to_string(y.size()));
  if (!X.allFinite() || !y.allFinite()) throw MethodFailure("MLP input contains NaN or infinity");

  MlpShape shape(static_cast<int>(X.cols()), options_.hidden_layer_sizes);
  MlpLoss loss(shape, X, y, options_.alpha);
  LbfgsbOptions solver_options;
  solver_options.max_iterations = options_.max_iter;
  solver_options.max_evaluations = options_.max_fun;
  solver_options.gtol = options_.tol;
  solver_ = minimize_lbfgsb([&loss](const double* x, double* g) { return loss(x, g); },
                            glorot_uniform_init(shape, options_.random_state), solver_options);
  for (double w : solver_.x)
    if (!std::isfinite(w)) throw MethodFailure("MLP solver produced non-finite weights");
  shape_ = shape;
}

Vector MlpRegressor::predict(const Matrix& X) const {
  if (!shape_) throw std::logic_error("MlpRegressor::predict called before fit");
  if (X.cols() != shape_->units(0))
    throw InputError("MLP predict: X has " + std::to_string(X.cols()) + " features, the fit had " +
                     std::to_string(shape_->units(0)));
  return mlp_predict(*shape_, solver_.x, X);
}

const LbfgsbResult& MlpRegressor::solver_result() const { return solver_; }

}  // namespace oh::regress::mlp
