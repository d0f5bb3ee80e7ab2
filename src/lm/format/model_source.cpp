#include "lm/format/model_source.h"

#include <filesystem>

#include "core/error.h"
#include "lm/format/checkpoint_paths.h"
#include "lm/format/gguf_model_source.h"
#include "lm/format/hf_gpt2_source.h"
#include "lm/format/hf_llama_source.h"

namespace oh::lm {

const GgufValue& ModelSource::at(const std::string& key) const {
  if (const GgufValue* v = find(key)) return *v;
  throw InputError(path() + ": missing metadata key '" + key + "'");
}

const GgufTensorInfo& ModelSource::tensor(const std::string& name) const {
  if (const GgufTensorInfo* t = find_tensor(name)) return *t;
  throw InputError(path() + ": missing tensor '" + name + "'");
}

bool is_model_source_convertible(GgmlType type) { return is_convertible(type); }

void ModelSource::to_float(const GgufTensorInfo& tensor, float* dst) const {
  const auto n = static_cast<size_t>(tensor.element_count());
  if (is_convertible(tensor.type))
    dequantize(tensor.type, tensor.data, dst, n);
  else
    throw InputError(path() + ": tensor '" + tensor.name + "' has type " + ggml_type_traits(tensor.type).name +
                     ", which this engine cannot read yet (" + convertible_type_names() + ")");
}

std::vector<float> ModelSource::to_float(const GgufTensorInfo& tensor) const {
  std::vector<float> out(static_cast<size_t>(tensor.element_count()));
  to_float(tensor, out.data());
  return out;
}

std::shared_ptr<const ModelSource> open_model_source(const std::string& path) {
  if (is_safetensors_checkpoint_path(path)) {
    SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint::open(path);
    if (is_hf_gpt2_config((std::filesystem::path(checkpoint.directory()) / "config.json").string()))
      return std::make_shared<const HfGpt2Source>(std::move(checkpoint));
    return std::make_shared<const HfLlamaSource>(std::move(checkpoint));
  }
  return std::make_shared<const GgufModelSource>(GgufFile::open(path));
}

}  // namespace oh::lm
