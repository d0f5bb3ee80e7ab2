#include "core/error.h"
#include "lm/format/gguf_reader.h"
#include "lm/tokenizer/vocabulary.h"

namespace oh::lm {

Vocabulary vocabulary_from_gguf(const GgufFile& file) {
  const std::string& path = file.path();
  auto key = [&](const char* name) { return path + ": " + name; };
  Vocabulary v;
  v.model = file.at("tokenizer.ggml.model").as_string(key("tokenizer.ggml.model"));
  if (v.model == "llama")
    throw InputError(path + ": SentencePiece vocabularies (tokenizer.ggml.model = llama) are not supported");
  if (v.model != "gpt2")
    throw InputError(path + ": unsupported tokenizer.ggml.model '" + v.model + "' (gpt2: byte-level BPE)");
  if (const GgufValue* pre = file.find("tokenizer.ggml.pre")) v.pre = pre->as_string(key("tokenizer.ggml.pre"));

  const auto& tokens = file.at("tokenizer.ggml.tokens").as_array(key("tokenizer.ggml.tokens"));
  v.tokens.reserve(tokens.values.size());
  for (const auto& t : tokens.values) v.tokens.push_back(t.as_string(key("tokenizer.ggml.tokens[]")));
  v.types.assign(v.tokens.size(), TokenType::Normal);
  if (const GgufValue* types = file.find("tokenizer.ggml.token_type")) {
    const auto& array = types->as_array(key("tokenizer.ggml.token_type"));
    if (array.values.size() != v.tokens.size())
      throw InputError(path + ": tokenizer.ggml.token_type has " + std::to_string(array.values.size()) + " entries for " +
                       std::to_string(v.tokens.size()) + " tokens");
    for (size_t i = 0; i < array.values.size(); ++i)
      v.types[i] = static_cast<TokenType>(array.values[i].as_int(key("tokenizer.ggml.token_type[]")));
  }
  if (const GgufValue* merges = file.find("tokenizer.ggml.merges"))
    for (const auto& m : merges->as_array(key("tokenizer.ggml.merges")).values)
      v.merges.push_back(m.as_string(key("tokenizer.ggml.merges[]")));
  auto id = [&](const char* name) -> int32_t {
    const GgufValue* value = file.find(name);
    if (value == nullptr) return -1;
    const int64_t x = value->as_int(key(name));
    if (x < 0 || x >= static_cast<int64_t>(v.tokens.size()))
      throw InputError(key(name) + ": token id " + std::to_string(x) + " out of range");
    return static_cast<int32_t>(x);
  };
  v.bos_id = id("tokenizer.ggml.bos_token_id");
  v.eos_id = id("tokenizer.ggml.eos_token_id");
  // llama.cpp's defaults when the key is absent: Llama-3 adds BOS, GPT-2-style vocabularies do not.
  v.add_bos = v.pre == "llama-bpe";
  if (const GgufValue* add = file.find("tokenizer.ggml.add_bos_token")) v.add_bos = add->as_bool(key("tokenizer.ggml.add_bos_token"));
  v.ignore_merges = v.pre == "llama-bpe";
  v.validate(path);
  return v;
}

}  // namespace oh::lm
