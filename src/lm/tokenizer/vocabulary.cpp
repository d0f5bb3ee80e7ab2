#include "lm/tokenizer/vocabulary.h"

#include "core/error.h"
#include "lm/format/gguf_writer.h"
#include "lm/tokenizer/utf8.h"

namespace oh::lm {

void Vocabulary::validate(const std::string& source) const {
  if (tokens.empty()) throw InputError(source + ": empty vocabulary");
  if (types.size() != tokens.size())
    throw InputError(source + ": " + std::to_string(types.size()) + " token types for " + std::to_string(tokens.size()) +
                     " tokens");
  const auto n = static_cast<int64_t>(tokens.size());
  for (const auto& [name, id] : {std::pair<const char*, int32_t>{"bos", bos_id}, {"eos", eos_id}})
    if (id < -1 || id >= n) throw InputError(source + ": " + name + " token id " + std::to_string(id) + " out of range");
  for (size_t i = 0; i < tokens.size(); ++i) {
    require_valid_utf8(tokens[i], source + ": token " + std::to_string(i));
    const auto t = static_cast<int32_t>(types[i]);
    if (t < 0 || t > 6) throw InputError(source + ": token " + std::to_string(i) + ": unknown token type " + std::to_string(t));
  }
}

void write_vocabulary(const Vocabulary& v, GgufWriter& writer) {
  writer.set_string("tokenizer.ggml.model", v.model);
  writer.set_string("tokenizer.ggml.pre", v.pre);
  writer.set_strings("tokenizer.ggml.tokens", v.tokens);
  std::vector<int32_t> types;
  types.reserve(v.types.size());
  for (auto t : v.types) types.push_back(static_cast<int32_t>(t));
  writer.set_i32s("tokenizer.ggml.token_type", types);
  writer.set_strings("tokenizer.ggml.merges", v.merges);
  if (v.bos_id >= 0) writer.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(v.bos_id));
  if (v.eos_id >= 0) writer.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(v.eos_id));
  writer.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
}

}  // namespace oh::lm
