#include "icl/sine_tasks.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace oh::icl {
namespace {

void check_range(const char* name, double low, double high) {
  if (!std::isfinite(low) || !std::isfinite(high) || !(low < high))
    throw InputError(std::string("sine task: ") + name + " range must be finite with low < high, got [" + std::to_string(low) + ", " +
                     std::to_string(high) + "]");
}

}  // namespace

void SineTaskConfig::validate() const {
  if (context_size <= 0) throw InputError("sine task: context size N must be > 0, got " + std::to_string(context_size));
  check_range("amplitude", amplitude_low, amplitude_high);
  check_range("phase", phase_low, phase_high);
  check_range("x", x_low, x_high);
}

SineTasks sample_sine_tasks(const SineTaskConfig& config, int64_t count, uint64_t seed) {
  config.validate();
  if (count <= 0) throw InputError("sine task: task count must be > 0, got " + std::to_string(count));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const int64_t n = config.context_size;
  const at::Tensor amplitude = at::empty({count}, options).uniform_(config.amplitude_low, config.amplitude_high, gen);
  const at::Tensor phase = at::empty({count}, options).uniform_(config.phase_low, config.phase_high, gen);
  const at::Tensor inputs = at::empty({count, n + 1, 1}, options).uniform_(config.x_low, config.x_high, gen);
  const at::Tensor labels = amplitude.view({count, 1, 1}) * at::sin(inputs + phase.view({count, 1, 1}));
  return {inputs.narrow(1, 0, n).contiguous(), labels.narrow(1, 0, n).contiguous(), inputs.select(1, n).contiguous(),
          labels.select(1, n).squeeze(-1).contiguous(), amplitude, phase};
}

}  // namespace oh::icl
