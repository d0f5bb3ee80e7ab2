#include "fuzz_vocabulary.h"

#include <algorithm>
#include <string>

#include "lm/tokenizer/byte_unicode.h"

namespace oh::fuzz {

lm::Vocabulary fuzz_vocabulary() {
  lm::Vocabulary v;
  v.pre = "llama-bpe";
  v.ignore_merges = true;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(lm::byte_to_unicode(static_cast<uint8_t>(b)));
  // "Ġ" spells a space in byte-level vocabularies.
  for (const char* merge : {"e r", "Ġ t", "Ġt h", "Ġth e", "1 2", "12 3", "i n", "in g", "Ġ 0", "Ċ Ċ", "O u", "Ou t"}) {
    const std::string m = merge;
    v.merges.push_back(m);
    const std::string joined = m.substr(0, m.find(' ')) + m.substr(m.find(' ') + 1);
    if (std::find(v.tokens.begin(), v.tokens.end(), joined) == v.tokens.end()) v.tokens.push_back(joined);
  }
  v.tokens.push_back("Feature");  // reachable only whole (ignore_merges)
  v.types.assign(v.tokens.size(), lm::TokenType::Normal);
  v.tokens.push_back("<|s|>"), v.types.push_back(lm::TokenType::Control);
  v.tokens.push_back("<u>"), v.types.push_back(lm::TokenType::UserDefined);
  v.bos_id = static_cast<int32_t>(v.tokens.size()) - 2;
  v.eos_id = v.bos_id;
  return v;
}

}  // namespace oh::fuzz
