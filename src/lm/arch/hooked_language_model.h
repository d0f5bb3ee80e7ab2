#pragma once
// A language model as C++ users of the engine see it: a LanguageModel (token ids → logits, for the
// command line) that is also a hooks::HookedModel over batches of token ids [b, p] (DESIGN §6), with its
// final norm and unembedding for the residual-stream analyses.
#include <memory>
#include <string>

#include "hooks/hooked_model.h"
#include "hooks/residual_analysis.h"
#include "lm/arch/language_model.h"

namespace oh::lm {

class HookedLanguageModel : public LanguageModel, public hooks::HookedModel {
 public:
  /// Blocks in the model (hook points blocks.0 .. blocks.(n-1)).
  int n_layers() const { return hook_points().layer_count(); }

  /// The final norm and unembedding as used by the forward pass (the analyses of residual_analysis.h).
  virtual hooks::OutputHead output_head() const = 0;
};

/// Opens a GGUF model for tensor-level use; InputError as load_model.
std::unique_ptr<HookedLanguageModel> load_hooked_model(const std::string& path, const ModelOptions& options = {});

}  // namespace oh::lm
