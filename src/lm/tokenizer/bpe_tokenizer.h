#pragma once
// Byte-level BPE (GPT-2, Llama-3): special-token partition (only when asked, except user-defined
// tokens, which llama.cpp always parses), the pre-tokenizer regexes, the GPT-2 byte spelling, then
// merges by rank, lowest first and leftmost on ties.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lm/tokenizer/pretokenizer.h"
#include "lm/tokenizer/vocabulary.h"

namespace oh::lm {

struct EncodeOptions {
  bool parse_special = false;  // turn "<|eot_id|>" text into its control token
  bool add_bos = false;        // prepend BOS (callers pass the model's add_bos_token or --bos)
};

class BpeTokenizer {
 public:
  /// Throws InputError (prefixed by `source`) for an unknown pre-tokenizer, a merge naming a token
  /// that is not in the vocabulary, or a byte without a token.
  BpeTokenizer(Vocabulary vocabulary, const std::string& source);

  /// Throws InputError on invalid UTF-8 (naming the byte offset) or add_bos without a BOS token.
  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const;
  /// The bytes of the tokens; control tokens are rendered as their text.
  std::string decode(const std::vector<int32_t>& ids) const;
  /// The bytes of one token (may be an incomplete UTF-8 sequence).
  std::string piece(int32_t id) const;

  const Vocabulary& vocabulary() const { return vocab_; }
  int32_t size() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  /// The token's id, or -1.
  int32_t find(const std::string& token) const;

 private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  void encode_raw(std::string_view text, std::vector<int32_t>& out) const;
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

  Vocabulary vocab_;
  Pretokenizer pretokenizer_;
  std::unordered_map<std::string, int32_t> id_of_;
  std::unordered_map<uint64_t, Merge> merges_;  // (left id << 32 | right id) -> rank and result
  int32_t byte_token_[256];
  std::vector<int32_t> specials_always_, specials_on_request_;  // longest first
};

}  // namespace oh::lm
