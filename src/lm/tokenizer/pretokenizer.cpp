#include "lm/tokenizer/pretokenizer.h"

#include <pcre2.h>

#include <cassert>

#include "core/error.h"
#include "lm/tokenizer/utf8.h"

namespace oh::lm {

const char* const kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kGpt2Regex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";

namespace {

// llama.cpp's sequence for vocabularies without a known pre-tokenizer.
const std::vector<std::string> kDefaultRegexes = {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2Regex, R"(\p{N}+)",
                                                  "[0-9][0-9][0-9]"};

std::vector<std::string> regexes_for(const std::string& name) {
  if (name == "llama-bpe") return {kLlama3Regex};
  if (name == "gpt-2") return {kGpt2Regex};
  if (name == "default") return kDefaultRegexes;
  throw InputError("unsupported pre-tokenizer '" + name + "' (llama-bpe, gpt-2, default)");
}

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

}  // namespace

struct Pretokenizer::Regexes {
  std::vector<std::unique_ptr<pcre2_code, CodeDeleter>> codes;
};

Pretokenizer::Pretokenizer(const std::string& name) : name_(name), regexes_(std::make_unique<Regexes>()) {
  for (const auto& pattern : regexes_for(name)) {
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    // UCP makes \s, \d and the character classes Unicode-aware: NBSP and other spaces count as \s.
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP, &error, &error_offset, nullptr);
    assert(code != nullptr && "built-in pre-tokenizer regexes compile");
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // optional speed-up; the interpreter is the fallback
    regexes_->codes.emplace_back(code);
  }
}

Pretokenizer::~Pretokenizer() = default;
Pretokenizer::Pretokenizer(Pretokenizer&&) noexcept = default;
Pretokenizer& Pretokenizer::operator=(Pretokenizer&&) noexcept = default;

const std::vector<std::string>& Pretokenizer::names() {
  static const std::vector<std::string> list = {"llama-bpe", "gpt-2", "default"};
  return list;
}

void Pretokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(pcre2_match_data_create(1, nullptr));
  std::vector<std::string_view> current{text}, next;
  for (const auto& code : regexes_->codes) {
    next.clear();
    for (std::string_view piece : current) {
      const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
      size_t start = 0, gap_start = 0;
      while (start < piece.size()) {
        const int rc = pcre2_match(code.get(), subject, piece.size(), start, PCRE2_NO_UTF_CHECK, match.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) throw InputError("pre-tokenizer regex failed with PCRE2 error " + std::to_string(rc));
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
        const size_t begin = ovector[0], end = ovector[1];
        if (begin > gap_start) next.push_back(piece.substr(gap_start, begin - gap_start));
        if (end > begin) {
          next.push_back(piece.substr(begin, end - begin));
          start = gap_start = end;
        } else {
          if (begin == piece.size()) break;
          start = begin + utf8_sequence_length(static_cast<unsigned char>(piece[begin]));  // never loop on ""
          gap_start = begin;
        }
      }
      if (gap_start < piece.size()) next.push_back(piece.substr(gap_start));
    }
    current.swap(next);
  }
  pieces.insert(pieces.end(), current.begin(), current.end());
}

}  // namespace oh::lm
