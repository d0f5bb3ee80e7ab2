// safetensors reader: any bytes either parse or throw InputError; a file that parses converts every
// tensor of a float dtype. Any other exception, a sanitizer report or a crash is a finding.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "lm/format/safetensors_reader.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const oh::fuzz::MemoryFile file(data, size);
  try {
    const oh::lm::SafetensorsFile st = oh::lm::SafetensorsFile::open(file.path());
    for (const auto& tensor : st.tensors())
      if (oh::lm::is_float_convertible(tensor.dtype)) (void)st.to_float(tensor);
  } catch (const oh::InputError&) {
  }
  return 0;
}
