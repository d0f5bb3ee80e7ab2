// Writes the inputs of the GPT-2 tokenizer conformance (gpt2_tokenizer_conformance.mjs compares our ids
// with llama.cpp's on the same GGUF):
//   OUT/gpt2_tiny.gguf   a tiny random GPT-2 with tiny_gpt2_vocabulary() (tokenizer.ggml.pre "gpt-2")
//   OUT/cases.json       [{text, ids}]: our tokenizer loaded from that GGUF, no BOS, no special parsing
// The texts are fixed edge cases of GPT-2's pre-tokenizer regex (contractions, letter/number/other runs
// with one leading space, whitespace before words, non-ASCII letters and spaces) and seeded random
// strings over an alphabet that mixes them.
// usage: lm_gpt2_tokenizer_cases OUT_DIR [COUNT]
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/numpy_random.h"
#include "lm/tokenizer/tokenizer_file.h"
#include "tiny_gpt2.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR [COUNT]\n", argv[0]);
    return 2;
  }
  try {
    const std::string out_dir = argv[1];
    const int count = argc == 3 ? std::stoi(argv[2]) : 300;
    const std::string model_path = out_dir + "/gpt2_tiny.gguf";
    oh::lm::testing::TinyGpt2Shape shape;
    shape.n_layer = 1;
    oh::lm::testing::write_tiny_gpt2(model_path, oh::lm::testing::tiny_gpt2_vocabulary(), shape, 3);
    const auto tokenizer = oh::lm::load_tokenizer(model_path);

    std::vector<std::string> texts = {
        "hello world",
        "Hello World",
        "it's they're we've I'm you'll he'd IT'S",
        "abc123def 4567 89",
        "x 12345 it's",
        "  two leading spaces, and   three inside",
        "tabs\tand\nnewlines\n\n  end  ",
        "punctuation!!! ... ?? (parens) [brackets] {braces}",
        "Feature 0: 39.680\nFeature 1: 1005.89\nOutput: 423.530",
        "caf\xc3\xa9 na\xc3\xafve \xc3\xbc" "ber",            // Latin letters beyond ASCII
        "non\xc2\xa0" "breaking space",                         // NBSP is \s for PCRE2 with UCP
        "emoji \xf0\x9f\x98\x80 and \xe4\xb8\xad\xe6\x96\x87",  // a symbol and CJK letters
        "<|endoftext|> is plain text here",
        "'s's 're're ''",
        " ",
        "",
    };
    const std::vector<std::string> alphabet = {"a", "b", "e", "t", "h", "Z", "q", "0", "7", "9", " ", " ", "  ", "\n",
                                               "\t", "'", "'s", "'re", ".", ",", ":", "!", "-", "\xc3\xa9", "\xc2\xa0",
                                               "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "<|endoftext|>"};
    oh::RandomState rng(2024);
    while (static_cast<int>(texts.size()) < count) {
      std::string text;
      const uint64_t pieces = 1 + rng.random_interval(24);
      for (uint64_t i = 0; i < pieces; ++i) text += alphabet[rng.random_interval(alphabet.size() - 1)];
      texts.push_back(text);
    }
    nlohmann::json cases = nlohmann::json::array();
    for (const std::string& text : texts) cases.push_back({{"text", text}, {"ids", tokenizer.encode(text)}});
    oh::write_file_atomically(out_dir + "/cases.json", cases.dump(1) + "\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lm_gpt2_tokenizer_cases: %s\n", e.what());
    return 1;
  }
}
