#pragma once
// The device a model computes on (issue 3 item 12): "cpu", "cuda" or "cuda:N" from the command line.
#include <c10/core/Device.h>

#include <string>

namespace oh::lm {

/// The device `name` names, checked against this build and machine: InputError for a name that is no
/// device, "cuda" when the linked libtorch has no CUDA or no GPU is visible, or an index past the GPUs.
c10::Device resolve_device(const std::string& name);

}  // namespace oh::lm
