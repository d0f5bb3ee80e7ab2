#include "icl/linear_tasks.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace oh::icl {

void LinearTaskConfig::validate() const {
  auto finite = [](double v) { return std::isfinite(v); };
  if (input_dim <= 0) throw InputError("task: input dimension d must be > 0, got " + std::to_string(input_dim));
  if (context_size <= 0) throw InputError("task: context size N must be > 0, got " + std::to_string(context_size));
  if (!finite(x_low) || !finite(x_high) || !(x_low < x_high))
    throw InputError("task: x range must be finite with low < high, got [" + std::to_string(x_low) + ", " + std::to_string(x_high) + "]");
  if (!finite(teacher_scale) || teacher_scale < 0)
    throw InputError("task: teacher scale must be finite and ≥ 0, got " + std::to_string(teacher_scale));
  if (!finite(noise_std) || noise_std < 0) throw InputError("task: label noise must be finite and ≥ 0, got " + std::to_string(noise_std));
}

LinearTasks LinearTasks::to(at::ScalarType dtype) const {
  return {x.to(dtype), y.to(dtype), x_test.to(dtype), y_test.to(dtype), w.to(dtype)};
}

LinearTasks sample_linear_tasks(const LinearTaskConfig& config, int64_t count, uint64_t seed) {
  config.validate();
  if (count <= 0) throw InputError("task: task count must be > 0, got " + std::to_string(count));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const int64_t d = config.input_dim, n = config.context_size;
  const at::Tensor w = at::normal(0.0, config.teacher_scale, {count, 1, d}, gen, options);
  const at::Tensor inputs = at::empty({count, n + 1, d}, options).uniform_(config.x_low, config.x_high, gen);
  at::Tensor labels = at::matmul(inputs, w.transpose(1, 2));  // [b, N+1, 1]
  if (config.noise_std > 0) labels = labels + at::normal(0.0, config.noise_std, {count, n + 1, 1}, gen, options);
  return {inputs.narrow(1, 0, n).contiguous(), labels.narrow(1, 0, n).contiguous(), inputs.select(1, n).contiguous(),
          labels.select(1, n).squeeze(-1).contiguous(), w};
}

at::Tensor make_tokens(const at::Tensor& x, const at::Tensor& y, const at::Tensor& x_test, const at::Tensor& w0) {
  const at::Tensor query_label = w0.defined() ? -at::matmul(x_test, w0.to(x_test.scalar_type()).t()) : at::zeros_like(x_test.narrow(1, 0, 1));
  const at::Tensor context = at::cat({x, y}, 2);
  const at::Tensor query = at::cat({x_test, query_label}, 1).unsqueeze(1);
  return at::cat({context, query}, 1);
}

at::Tensor make_tokens(const LinearTasks& tasks, const at::Tensor& w0) { return make_tokens(tasks.x, tasks.y, tasks.x_test, w0); }

uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  // splitmix64 of (seed, stream): nearby seeds and streams give unrelated generator states.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + (stream + 1) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace oh::icl
