#include "icl/gd_construction.h"

#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace oh::icl {

LsaModel make_gd_model(const GdConstruction& c) {
  if (c.input_dim <= 0 || c.context_size <= 0 || c.layers <= 0)
    throw InputError("gd construction: d, N and layers must be > 0");
  if (!std::isfinite(c.eta) || !std::isfinite(c.gamma)) throw InputError("gd construction: η and γ must be finite");
  const int64_t d = c.input_dim, dt = d + 1;
  const auto options = at::TensorOptions().dtype(at::kFloat);
  at::Tensor select_x = at::zeros({dt, dt}, options);
  select_x.narrow(0, 0, d).narrow(1, 0, d).copy_(at::eye(d, options));
  at::Tensor value = at::zeros({dt, dt}, options);
  if (c.w0.defined()) {
    if (c.w0.sizes() != at::IntArrayRef{1, d}) throw InputError("gd construction: W0 must be [1, " + std::to_string(d) + "]");
    value.narrow(0, d, 1).narrow(1, 0, d).copy_(c.w0);
  }
  value[d][d] = -1.0;
  at::Tensor projection = at::zeros({dt, dt}, options);
  projection[d][d] = c.eta / static_cast<double>(c.context_size);
  if (c.gamma != 0.0) {
    value.narrow(0, 0, d).narrow(1, 0, d).copy_(at::eye(d, options));
    projection.narrow(0, 0, d).narrow(1, 0, d).copy_(at::eye(d, options) * -c.gamma);
  }
  LsaConfig config;
  config.token_dim = dt;
  config.layers = c.layers;
  config.shared_weights = true;
  return LsaModel(config, {{select_x.unsqueeze(0), select_x.clone().unsqueeze(0), value.unsqueeze(0), projection}});
}

}  // namespace oh::icl
