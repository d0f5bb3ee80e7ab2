#include "lm/arch/architecture_registry.h"

#include "core/error.h"
#include "lm/arch/gpt2.h"
#include "lm/arch/hooked_language_model.h"
#include "lm/arch/llama.h"
#include "lm/format/model_source.h"

namespace oh::lm {

const std::vector<Architecture>& architectures() {
  static const std::vector<Architecture> table = {
      {"llama", build_llama},
      {"gpt2", build_gpt2},
  };
  return table;
}

std::unique_ptr<HookedLanguageModel> load_hooked_model(const std::string& path, const ModelOptions& options) {
  std::shared_ptr<const ModelSource> source = open_model_source(path);
  const std::string& name = source->at("general.architecture").as_string("general.architecture");
  for (const auto& architecture : architectures())
    if (architecture.name == name) return architecture.build(std::move(source), options);
  std::string known;
  for (const auto& architecture : architectures()) known += (known.empty() ? "" : ", ") + architecture.name;
  throw InputError(path + ": unknown architecture '" + name + "' (supported: " + known + ")");
}

std::unique_ptr<LanguageModel> load_model(const std::string& path, const ModelOptions& options) {
  return load_hooked_model(path, options);
}

}  // namespace oh::lm
