#include "lm/tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <limits>
#include <queue>

#include "core/error.h"
#include "lm/tokenizer/byte_unicode.h"
#include "lm/tokenizer/utf8.h"

namespace oh::lm {
namespace {

constexpr size_t npos = static_cast<size_t>(-1);

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

/// A stretch of the input: raw text still to tokenize, or an already-resolved special token.
struct Fragment {
  std::string_view text;
  int32_t token = -1;
};

/// Splits every raw fragment on each special token in turn (longest first), as llama.cpp does.
void partition(const std::vector<int32_t>& specials, const std::vector<std::string>& tokens, std::vector<Fragment>& fragments) {
  std::vector<Fragment> next;
  for (int32_t id : specials) {
    const std::string& special = tokens[id];
    next.clear();
    for (const Fragment& f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t start = 0;
      for (size_t hit; (hit = f.text.find(special, start)) != std::string_view::npos; start = hit + special.size()) {
        if (hit > start) next.push_back({f.text.substr(start, hit - start)});
        next.push_back({{}, id});
      }
      if (start < f.text.size()) next.push_back({f.text.substr(start)});
    }
    fragments.swap(next);
  }
}

}  // namespace

BpeTokenizer::BpeTokenizer(Vocabulary vocabulary, const std::string& source)
    : vocab_(std::move(vocabulary)), pretokenizer_(vocab_.pre) {
  vocab_.validate(source);
  if (vocab_.tokens.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw InputError(source + ": vocabulary too large");
  id_of_.reserve(vocab_.tokens.size());
  for (size_t i = 0; i < vocab_.tokens.size(); ++i) id_of_.emplace(vocab_.tokens[i], static_cast<int32_t>(i));
  for (int b = 0; b < 256; ++b) {
    byte_token_[b] = find(byte_to_unicode(static_cast<uint8_t>(b)));
    if (byte_token_[b] < 0) throw InputError(source + ": byte " + std::to_string(b) + " has no token in the vocabulary");
  }
  merges_.reserve(vocab_.merges.size());
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string& m = vocab_.merges[rank];
    const size_t space = m.find(' ', 1);  // llama.cpp's split: a left part may itself start with a space
    const std::string where = source + ": merge " + std::to_string(rank) + " '" + m + "'";
    if (space == std::string::npos) throw InputError(where + ": expected 'left right'");
    const std::string left = m.substr(0, space), right = m.substr(space + 1);
    const int32_t l = find(left), r = find(right), result = find(left + right);
    if (l < 0 || r < 0 || result < 0) throw InputError(where + ": names a token that is not in the vocabulary");
    merges_.emplace(pair_key(l, r), Merge{static_cast<int32_t>(rank), result});  // first (best) rank wins
  }
  for (size_t i = 0; i < vocab_.tokens.size(); ++i) {
    if (vocab_.tokens[i].empty()) continue;
    if (vocab_.types[i] == TokenType::UserDefined) specials_always_.push_back(static_cast<int32_t>(i));
    if (vocab_.types[i] == TokenType::Control || vocab_.types[i] == TokenType::UserDefined)
      specials_on_request_.push_back(static_cast<int32_t>(i));
  }
  auto longest_first = [this](int32_t a, int32_t b) {
    const size_t la = vocab_.tokens[a].size(), lb = vocab_.tokens[b].size();
    return la != lb ? la > lb : a < b;
  };
  std::sort(specials_always_.begin(), specials_always_.end(), longest_first);
  std::sort(specials_on_request_.begin(), specials_on_request_.end(), longest_first);
}

int32_t BpeTokenizer::find(const std::string& token) const {
  const auto it = id_of_.find(token);
  return it == id_of_.end() ? -1 : it->second;
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  require_valid_utf8(text, "text to tokenize");
  std::vector<int32_t> ids;
  if (options.add_bos) {
    if (vocab_.bos_id < 0) throw InputError("the vocabulary has no BOS token");
    ids.push_back(vocab_.bos_id);
  }
  std::vector<Fragment> fragments{{text}};
  partition(options.parse_special ? specials_on_request_ : specials_always_, vocab_.tokens, fragments);
  for (const Fragment& f : fragments) {
    if (f.token >= 0)
      ids.push_back(f.token);
    else
      encode_raw(f.text, ids);
  }
  return ids;
}

void BpeTokenizer::encode_raw(std::string_view text, std::vector<int32_t>& out) const {
  std::vector<std::string_view> words;
  pretokenizer_.split(text, words);
  for (std::string_view word : words) encode_word(word, out);
}

void BpeTokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (vocab_.ignore_merges) {
    std::string spelled;
    append_byte_spelling(spelled, word);
    const int32_t whole = find(spelled);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
  }
  // Symbols form a linked list over byte positions; candidate pairs wait in a min-heap by (rank,
  // position), so the lowest rank merges first and the leftmost wins ties, in O(n log n) even for
  // the very long words untrusted text can hold. Entries made stale by earlier merges are skipped.
  const size_t n = word.size();
  std::vector<int32_t> id(n);
  std::vector<size_t> prev(n), next(n);
  for (size_t i = 0; i < n; ++i) {
    id[i] = byte_token_[static_cast<unsigned char>(word[i])];
    prev[i] = i - 1;  // wraps to npos for the first symbol
    next[i] = i + 1 < n ? i + 1 : npos;
  }
  struct Candidate {
    int32_t rank;
    size_t left;
    int32_t left_id, right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](size_t left) {
    if (left == npos || next[left] == npos) return;
    const auto it = merges_.find(pair_key(id[left], id[next[left]]));
    if (it != merges_.end()) queue.push({it->second.rank, left, id[left], id[next[left]]});
  };
  for (size_t i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    const size_t right = next[c.left];
    if (id[c.left] != c.left_id || right == npos || id[right] != c.right_id) continue;  // stale
    id[c.left] = merges_.at(pair_key(c.left_id, c.right_id)).result;
    id[right] = -1;
    next[c.left] = next[right];
    if (next[right] != npos) prev[next[right]] = c.left;
    consider(prev[c.left]);
    consider(c.left);
  }
  for (size_t i = 0; i != npos && i < n; i = next[i]) out.push_back(id[i]);
}

std::string BpeTokenizer::piece(int32_t id) const {
  if (id < 0 || id >= size()) throw InputError("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(size()));
  const TokenType type = vocab_.types[id];
  if (type == TokenType::Control || type == TokenType::UserDefined) return vocab_.tokens[id];
  return unspell_bytes(vocab_.tokens[id]);
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  for (int32_t id : ids) out += piece(id);
  return out;
}

}  // namespace oh::lm
