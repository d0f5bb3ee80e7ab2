#pragma once
// A byte-level BPE vocabulary as llama.cpp's GGUF metadata (tokenizer.ggml.*) describes it, whatever
// file it came from: tokens by id, their types, merges by rank, special ids and BOS policy.
#include <cstdint>
#include <string>
#include <vector>

namespace oh::lm {

class GgufFile;
class GgufWriter;

/// llama.cpp's token types (tokenizer.ggml.token_type).
enum class TokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct Vocabulary {
  std::string model = "gpt2";     // tokenizer.ggml.model: byte-level BPE
  std::string pre = "default";    // tokenizer.ggml.pre
  std::vector<std::string> tokens;
  std::vector<TokenType> types;   // same length as tokens
  std::vector<std::string> merges;  // "left right", by rank
  int32_t bos_id = -1, eos_id = -1;  // -1: none
  bool add_bos = false;
  bool ignore_merges = false;     // llama-bpe: a pre-token that is already a token is kept whole

  /// Checks ids, lengths and UTF-8; throws InputError prefixed by `source`.
  void validate(const std::string& source) const;
};

/// Reads tokenizer.ggml.* (byte-level "gpt2" model only; SentencePiece "llama" is out of scope).
Vocabulary vocabulary_from_gguf(const GgufFile& file);
/// Reads a Hugging Face tokenizer.json (BPE model with a ByteLevel or Llama-3 Split pre-tokenizer);
/// BOS/EOS come from its post-processor or a tokenizer_config.json beside it.
Vocabulary vocabulary_from_hf_json(const std::string& path);
/// Writes tokenizer.ggml.* so that llama.cpp loads the vocabulary.
void write_vocabulary(const Vocabulary& vocabulary, GgufWriter& writer);

}  // namespace oh::lm
