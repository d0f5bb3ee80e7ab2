#include "lm/arch/device.h"

#include <ATen/Context.h>

#include "core/error.h"

namespace oh::lm {

c10::Device resolve_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name != "cuda" && name.rfind("cuda:", 0) != 0)
    throw InputError("unknown device '" + name + "' (cpu, cuda or cuda:N)");
  c10::Device device(c10::kCUDA);
  try {
    device = c10::Device(name);
  } catch (const c10::Error&) {
    throw InputError("unknown device '" + name + "' (cpu, cuda or cuda:N)");
  }
  if (!at::hasCUDA())
    throw InputError("device '" + name + "': this build's libtorch has no CUDA (build against a CUDA libtorch: scripts/build_against_pytorch.sh)");
  const auto gpus = static_cast<int64_t>(at::getNumGPUs());
  if (gpus == 0) throw InputError("device '" + name + "': no CUDA GPU is visible");
  if (device.has_index() && device.index() >= gpus)
    throw InputError("device '" + name + "': only " + std::to_string(gpus) + " CUDA GPU(s) are visible");
  return device.has_index() ? device : c10::Device(c10::kCUDA, 0);
}

}  // namespace oh::lm
