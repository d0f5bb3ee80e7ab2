#include "lm/format/gguf_model_source.h"

#include <cstring>

namespace oh::lm {

GgufModelSource::GgufModelSource(GgufFile file) : file_(std::move(file)) {
  for (const GgufTensorInfo& t : file_.tensors()) {
    if (t.type != GgmlType::F32 || reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0) continue;
    copies_.emplace_back(static_cast<size_t>(t.element_count()));
    std::memcpy(copies_.back().data(), t.data, t.bytes);
    GgufTensorInfo aligned = t;
    aligned.data = reinterpret_cast<const uint8_t*>(copies_.back().data());
    realigned_.emplace(t.name, std::move(aligned));
  }
}

const GgufTensorInfo* GgufModelSource::find_tensor(const std::string& name) const {
  const auto it = realigned_.find(name);
  return it != realigned_.end() ? &it->second : file_.find_tensor(name);
}

}  // namespace oh::lm
