#pragma once
// scikit-learn's MLPRegressor network (relu hidden layers, identity output): its packed
// parameter layout, Glorot initialisation, the loss and gradient L-BFGS-B minimises, and the
// forward pass that predicts. Each reproduces scikit-learn 1.2.1's arithmetic order.
#include <cstdint>
#include <vector>

#include "regress/regressor.h"

namespace oh::regress::mlp {

/// Layer widths and where each layer's parameters sit in the packed vector: all coefficient
/// matrices first (fan_in × fan_out, row-major as numpy ravels them), then all intercepts.
class MlpShape {
 public:
  /// units = {n_features, hidden..., 1}. Throws InputError when a width is < 1.
  MlpShape(int n_features, const std::vector<int>& hidden_layer_sizes);
  int layers() const { return static_cast<int>(units_.size()) - 1; }
  int units(int index) const { return units_[index]; }
  std::size_t coef_offset(int layer) const { return coef_offsets_[layer]; }
  std::size_t intercept_offset(int layer) const { return intercept_offsets_[layer]; }
  std::size_t parameter_count() const { return parameter_count_; }

 private:
  std::vector<int> units_;
  std::vector<std::size_t> coef_offsets_, intercept_offsets_;
  std::size_t parameter_count_ = 0;
};

/// Glorot-uniform start: per layer, coefficients then intercepts drawn from one
/// RandomState(random_state).uniform(±sqrt(6 / (fan_in + fan_out))). Returns the packed vector.
std::vector<double> glorot_uniform_init(const MlpShape& shape, uint32_t random_state);

/// The objective scikit-learn hands to L-BFGS-B: mean((y − ŷ)²)/2 + α·Σ‖W‖²/(2n) and its
/// gradient, packed like the parameters. Owns every buffer it needs, so an evaluation does not
/// allocate.
class MlpLoss {
 public:
  /// Which kernels evaluate the objective; both give bit-identical results (the fused one-hidden-
  /// layer kernels apply to two-layer networks with at most kOneHiddenLayerMaxInputs inputs and
  /// at least two hidden units).
  enum class Kernels { kFastest, kLayerByLayer };
  /// X is n × n_features with n >= 1; y has n entries.
  MlpLoss(const MlpShape& shape, const Matrix& X, const Vector& y, double alpha, Kernels kernels = Kernels::kFastest);
  double operator()(const double* parameters, double* gradient);

 private:
  double layer_by_layer(const double* parameters, double* gradient);
  double one_hidden_layer(const double* parameters, double* gradient);
  // mean((y − ŷ)²)/2 + (0.5·α)·Σ_l ‖W_l‖² / n, from each layer's Σ W² (in layer order).
  double squared_loss(const double* predicted, const double* layer_squared_norms);

  MlpShape shape_;
  int samples_;
  double alpha_;
  std::vector<double> inputs_;                    // X, row-major
  std::vector<double> targets_;
  std::vector<std::vector<double>> activations_;  // [l] = output of layer l (n × units(l+1))
  std::vector<std::vector<double>> deltas_;       // [l] = dLoss/dZ of layer l, rows padded
  std::vector<double> squared_residuals_;
  std::vector<double> layer_squared_norms_;  // Σ W² of each layer's coefficients
  std::vector<double> transposed_coefs_;          // scratch for backpropagation (rows padded)
  std::vector<double> padded_coefs_;              // scratch for the forward pass (rows padded)
  // The fused one-hidden-layer path (when it applies): Xᵀ padded to whole vectors of samples,
  // ŷ for those padded samples, and the hidden activations (hidden units × padded samples).
  bool fused_ = false;
  int padded_samples_ = 0;
  std::vector<double> transposed_inputs_, padded_predictions_, hidden_activations_;
};

/// The network's output for each row of X (m × n_features).
Vector mlp_predict(const MlpShape& shape, const std::vector<double>& parameters, const Matrix& X);

}  // namespace oh::regress::mlp
