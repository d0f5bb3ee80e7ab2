#include "regress/mlp/mlp_network.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/numpy_random.h"
#include "regress/mlp/numpy_order_kernels.h"
#include "regress/mlp/one_hidden_layer_kernels.h"
#include "regress/mlp/simd_lanes.h"

namespace oh::regress::mlp {
namespace {

std::vector<double> row_major(const Matrix& X) {
  std::vector<double> out(static_cast<std::size_t>(X.rows()) * X.cols());
  for (Eigen::Index r = 0; r < X.rows(); ++r)
    for (Eigen::Index c = 0; c < X.cols(); ++c) out[r * X.cols() + c] = X(r, c);
  return out;
}

// Row stride of a layer's delta buffer: padded to whole vectors so that the weight gradient's
// product can read it a vector at a time, except a single column, which numpy means pairwise
// and so must stay contiguous.
int delta_stride(int units) { return units == 1 ? 1 : lane_padded(units); }

// Room for any layer's coefficients (fan_in × fan_out) with rows padded to whole vectors.
std::size_t padded_coefs_size(const MlpShape& shape) {
  std::size_t largest = 0;
  for (int l = 0; l < shape.layers(); ++l)
    largest = std::max(largest, static_cast<std::size_t>(shape.units(l)) * lane_padded(shape.units(l + 1)));
  return largest;
}

// The hidden layers and the output layer of scikit-learn's _forward_pass: Z = A·W + b, relu on
// every layer but the last (identity output). `activations[l]` receives layer l's output;
// `padded_coefs` (padded_coefs_size doubles) holds each layer's W with rows padded to vectors.
void forward(const MlpShape& shape, const double* parameters, const double* inputs, int rows,
             std::vector<std::vector<double>>& activations, std::vector<double>& padded_coefs) {
  const double* layer_input = inputs;
  for (int l = 0; l < shape.layers(); ++l) {
    double* z = activations[l].data();
    const int in = shape.units(l), out = shape.units(l + 1);
    const double* w = parameters + shape.coef_offset(l);
    int ldw = out;
    if (out > 1) {
      ldw = lane_padded(out);
      for (int i = 0; i < in; ++i)
        std::copy(w + static_cast<std::size_t>(i) * out, w + static_cast<std::size_t>(i + 1) * out,
                  padded_coefs.data() + static_cast<std::size_t>(i) * ldw);
      w = padded_coefs.data();
    }
    dense_forward(layer_input, rows, in, w, ldw, parameters + shape.intercept_offset(l), out, z);
    if (l + 1 < shape.layers()) relu_inplace(z, static_cast<std::size_t>(rows) * shape.units(l + 1));
    layer_input = z;
  }
}

// One rows × units(l+1) buffer per layer l, rows `padded ? delta_stride : units` apart.
std::vector<std::vector<double>> layer_buffers(const MlpShape& shape, int rows, bool padded = false) {
  std::vector<std::vector<double>> buffers(shape.layers());
  for (int l = 0; l < shape.layers(); ++l) {
    const int units = shape.units(l + 1);
    buffers[l].resize(static_cast<std::size_t>(rows) * (padded ? delta_stride(units) : units));
  }
  return buffers;
}

}  // namespace

MlpShape::MlpShape(int n_features, const std::vector<int>& hidden_layer_sizes) {
  units_.push_back(n_features);
  units_.insert(units_.end(), hidden_layer_sizes.begin(), hidden_layer_sizes.end());
  units_.push_back(1);
  for (int u : units_)
    if (u < 1) throw InputError("MLP layer widths must be >= 1 (got " + std::to_string(u) + ")");
  for (int l = 0; l < layers(); ++l) {
    coef_offsets_.push_back(parameter_count_);
    parameter_count_ += static_cast<std::size_t>(units_[l]) * units_[l + 1];
  }
  for (int l = 0; l < layers(); ++l) {
    intercept_offsets_.push_back(parameter_count_);
    parameter_count_ += units_[l + 1];
  }
}

std::vector<double> glorot_uniform_init(const MlpShape& shape, uint32_t random_state) {
  RandomState rng(random_state);
  std::vector<double> packed(shape.parameter_count());
  for (int l = 0; l < shape.layers(); ++l) {
    const int fan_in = shape.units(l), fan_out = shape.units(l + 1);
    const double bound = std::sqrt(6.0 / (fan_in + fan_out));  // relu's factor (logistic would use 2)
    double* coefs = packed.data() + shape.coef_offset(l);
    for (std::size_t i = 0; i < static_cast<std::size_t>(fan_in) * fan_out; ++i) coefs[i] = rng.uniform(-bound, bound);
    double* intercepts = packed.data() + shape.intercept_offset(l);
    for (int i = 0; i < fan_out; ++i) intercepts[i] = rng.uniform(-bound, bound);
  }
  return packed;
}

MlpLoss::MlpLoss(const MlpShape& shape, const Matrix& X, const Vector& y, double alpha, Kernels kernels)
    : shape_(shape),
      samples_(static_cast<int>(X.rows())),
      alpha_(alpha),
      inputs_(row_major(X)),
      targets_(y.data(), y.data() + y.size()),
      activations_(layer_buffers(shape, samples_)),
      deltas_(layer_buffers(shape, samples_, true)),
      squared_residuals_(samples_),
      layer_squared_norms_(shape.layers()) {
  assert(X.rows() >= 1 && X.rows() == y.size() && X.cols() == shape.units(0));
  std::size_t largest = 0;
  for (int l = 1; l < shape.layers(); ++l)
    largest = std::max(largest, static_cast<std::size_t>(shape.units(l + 1)) * lane_padded(shape.units(l)));
  transposed_coefs_.resize(largest);
  padded_coefs_.resize(padded_coefs_size(shape));
  // A single hidden unit is excluded: numpy means its one-column delta pairwise, which the fused
  // backward pass (sequential over samples, as for wider layers) does not do.
  fused_ = kernels == Kernels::kFastest && shape.layers() == 2 && shape.units(0) <= kOneHiddenLayerMaxInputs &&
           shape.units(1) > 1;
  if (fused_) {
    padded_samples_ = (samples_ + kLaneCount - 1) / kLaneCount * kLaneCount;
    const int in = shape.units(0);
    transposed_inputs_.assign(static_cast<std::size_t>(in) * padded_samples_, 0.0);
    for (int r = 0; r < samples_; ++r)
      for (int k = 0; k < in; ++k) transposed_inputs_[static_cast<std::size_t>(k) * padded_samples_ + r] = inputs_[r * in + k];
    padded_predictions_.resize(padded_samples_);
    const int padded_hidden = (shape.units(1) + kLaneCount - 1) / kLaneCount * kLaneCount;
    hidden_activations_.assign(static_cast<std::size_t>(padded_hidden) * padded_samples_, 0.0);
  }
}

double MlpLoss::operator()(const double* parameters, double* gradient) {
  return fused_ ? one_hidden_layer(parameters, gradient) : layer_by_layer(parameters, gradient);
}

double MlpLoss::squared_loss(const double* predicted, const double* layer_squared_norms) {
  const int n = samples_;
  for (int r = 0; r < n; ++r) {
    const double residual = targets_[r] - predicted[r];
    squared_residuals_[r] = residual * residual;
  }
  double loss = pairwise_sum(squared_residuals_.data(), n) / n / 2;
  double squared_norms = 0.0;
  for (int l = 0; l < shape_.layers(); ++l) squared_norms += layer_squared_norms[l];
  return loss + (0.5 * alpha_) * squared_norms / n;
}

double MlpLoss::one_hidden_layer(const double* parameters, double* gradient) {
  const OneHiddenLayerData data{inputs_.data(), transposed_inputs_.data(), samples_, padded_samples_, shape_.units(0)};
  const OneHiddenLayerWeights weights{parameters + shape_.coef_offset(0), parameters + shape_.intercept_offset(0),
                                      parameters + shape_.coef_offset(1), parameters + shape_.intercept_offset(1),
                                      shape_.units(1)};
  const double* predicted = padded_predictions_.data();
  one_hidden_layer_forward(data, weights, hidden_activations_.data(), padded_predictions_.data(),
                           layer_squared_norms_.data());
  const double loss = squared_loss(predicted, layer_squared_norms_.data());
  double* delta = deltas_.back().data();
  for (int r = 0; r < samples_; ++r) delta[r] = predicted[r] - targets_[r];
  one_hidden_layer_backward(data, weights, hidden_activations_.data(), delta, alpha_, gradient + shape_.coef_offset(0),
                            gradient + shape_.intercept_offset(0), gradient + shape_.coef_offset(1));
  column_means(delta, 1, samples_, 1, gradient + shape_.intercept_offset(1));
  return loss;
}

double MlpLoss::layer_by_layer(const double* parameters, double* gradient) {
  const int n = samples_;
  const int last = shape_.layers() - 1;
  forward(shape_, parameters, inputs_.data(), n, activations_, padded_coefs_);

  // squared_loss: ((y - ŷ)**2).mean() / 2, then the L2 term (0.5·α)·Σ dot(w, w) / n.
  const double* predicted = activations_[last].data();
  for (int l = 0; l <= last; ++l) {
    const double* w = parameters + shape_.coef_offset(l);
    layer_squared_norms_[l] = sequential_dot(w, w, static_cast<std::size_t>(shape_.units(l)) * shape_.units(l + 1));
  }
  const double loss = squared_loss(predicted, layer_squared_norms_.data());

  // _backprop: the output delta is ŷ − y; each layer's coefficient gradient is
  // (Aᵀ·δ + α·W) / n and its intercept gradient mean(δ, axis=0).
  double* delta = deltas_[last].data();
  for (int r = 0; r < n; ++r) delta[r] = predicted[r] - targets_[r];
  for (int l = last; l >= 0; --l) {
    const int in = shape_.units(l), out = shape_.units(l + 1);
    const double* layer_input = l == 0 ? inputs_.data() : activations_[l - 1].data();
    const double* w = parameters + shape_.coef_offset(l);
    double* coef_gradient = gradient + shape_.coef_offset(l);
    const int ldd = delta_stride(out);
    transposed_product(layer_input, deltas_[l].data(), ldd, n, in, out, coef_gradient);
    const std::size_t count = static_cast<std::size_t>(in) * out;
    for (std::size_t i = 0; i < count; ++i) coef_gradient[i] = (coef_gradient[i] + alpha_ * w[i]) / n;
    column_means(deltas_[l].data(), ldd, n, out, gradient + shape_.intercept_offset(l));
    if (l == 0) break;
    const int ldw_t = lane_padded(in);
    for (int i = 0; i < in; ++i)
      for (int j = 0; j < out; ++j) transposed_coefs_[static_cast<std::size_t>(j) * ldw_t + i] = w[i * out + j];
    backpropagate_relu(deltas_[l].data(), ldd, n, out, transposed_coefs_.data(), ldw_t, in,
                       activations_[l - 1].data(), deltas_[l - 1].data(), delta_stride(in));
  }
  return loss;
}

Vector mlp_predict(const MlpShape& shape, const std::vector<double>& parameters, const Matrix& X) {
  assert(X.cols() == shape.units(0) && parameters.size() == shape.parameter_count());
  const int rows = static_cast<int>(X.rows());
  auto activations = layer_buffers(shape, rows);
  const std::vector<double> inputs = row_major(X);
  std::vector<double> padded_coefs(padded_coefs_size(shape));
  forward(shape, parameters.data(), inputs.data(), rows, activations, padded_coefs);
  return Eigen::Map<const Vector>(activations.back().data(), rows);
}

}  // namespace oh::regress::mlp
