#pragma once
// Pre-tokenizers of byte-level BPE vocabularies: a sequence of PCRE2 regexes (UTF + UCP), each
// splitting every piece of the previous one into its matches and the text between them, as
// llama.cpp and Hugging Face's `Split(behavior=Isolated)` do.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oh::lm {

/// The Llama-3 pre-tokenizer regex (tokenizer.ggml.pre = "llama-bpe").
extern const char* const kLlama3Regex;
/// GPT-2's (tokenizer.ggml.pre = "gpt-2").
extern const char* const kGpt2Regex;

class Pretokenizer {
 public:
  /// "llama-bpe", "gpt-2" or "default"; anything else throws InputError listing these.
  explicit Pretokenizer(const std::string& name);
  ~Pretokenizer();
  Pretokenizer(Pretokenizer&&) noexcept;
  Pretokenizer& operator=(Pretokenizer&&) noexcept;

  const std::string& name() const { return name_; }
  static const std::vector<std::string>& names();

  /// Splits valid UTF-8 `text` into pieces (views into `text`), appended to `pieces`.
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

 private:
  struct Regexes;
  std::string name_;
  std::unique_ptr<Regexes> regexes_;
};

}  // namespace oh::lm
