#pragma once
// Architectures by name (GGUF's general.architecture): the table that load_model dispatches on.
#include <memory>
#include <string>
#include <vector>

#include "lm/arch/language_model.h"

namespace oh::lm {

class ModelSource;
class HookedLanguageModel;  // hooked_language_model.h (tensor-level; this header stays torch-free)

/// Builds a model over an open model source (GGUF or HF safetensors, under GGUF's names), which the
/// model keeps alive (F32 weights are used in place).
using ArchitectureBuilder = std::unique_ptr<HookedLanguageModel> (*)(std::shared_ptr<const ModelSource> source,
                                                              const ModelOptions& options);

struct Architecture {
  std::string name;
  ArchitectureBuilder build;
};

/// Every architecture this engine runs.
const std::vector<Architecture>& architectures();

/// Opens a model (GGUF file, or HF checkpoint directory / *.safetensors / index.json with config.json);
/// InputError for an unknown architecture, missing or malformed tensors and keys.
std::unique_ptr<LanguageModel> load_model(const std::string& path, const ModelOptions& options = {});

}  // namespace oh::lm
