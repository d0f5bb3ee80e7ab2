#include "lm/arch/language_model.h"

#include "core/error.h"

namespace oh::lm {

LogitsMatrix LanguageModel::logits(const std::vector<int64_t>& tokens) const {
  if (tokens.empty()) throw InputError("no tokens to evaluate");
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= vocab_size())
      throw InputError("token " + std::to_string(i) + " has id " + std::to_string(tokens[i]) + ", outside the " +
                       architecture() + " model's vocabulary [0, " + std::to_string(vocab_size()) + ")");
  return compute_logits(tokens);
}

}  // namespace oh::lm
