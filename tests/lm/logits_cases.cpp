// Writes the inputs of the logits conformance against llama.cpp (logits_conformance.mjs compares):
//   OUT/<case>.gguf      a random tiny Llama with the real Llama-3 vocabulary, by our GGUF writer
//   OUT/<case>.<variant>.npy  our float32 logits [positions, vocab] for the case's tokens: variant
//                        `fp32` (the engine's default numerics) and, for non-F32 weights, `rounded`
//                        (ModelOptions::llama_cpp_rounding, with llama.cpp's AMX dispatch when this CPU has AMX)
//   OUT/cases.json       [{name, weights, tokens, variants: [{name, rounding_effect}]}]: every
//                        variant must agree to 1e-4·max(1, max|logit|) + rounding_effect, where
//                        rounding_effect = max|rounded − fp32| for fp32 logits of non-F32 weights, else 0
// Cases: GQA, MQA and MHA × tied/untied output × rope base 1e4/5e5 in F32; F16, Q8_0, BF16, Q4_0 weights;
// Q4_K and Q6_K (n_embd = n_ff = 256); Llama-3.1 rope_freqs in F32 and Q8_0.
// usage: lm_logits_cases TOKENIZER_JSON OUT_DIR [SEEDS]   (SEEDS > 1 repeats every case with more seeds)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/numpy_random.h"
#include "lm/arch/architecture_registry.h"
#include "lm/arch/logits_file.h"
#include "lm/tokenizer/tokenizer_file.h"
#include "tiny_llama.h"

namespace {

struct Case {
  std::string name;
  oh::lm::testing::TinyLlamaShape shape;
  oh::lm::GgmlType weights;
  uint32_t seed;
};

std::vector<Case> all_cases(uint32_t seeds) {
  std::vector<Case> cases;
  const std::vector<std::pair<std::string, uint32_t>> kv_heads = {{"gqa", 2}, {"mqa", 1}, {"mha", 4}};
  for (uint32_t seed = 0; seed < seeds; ++seed) {
    const std::string suffix = "_s" + std::to_string(seed);
    for (const auto& [attention, n_head_kv] : kv_heads)
      for (bool tied : {true, false})
        for (float base : {1e4f, 5e5f}) {
          Case c{attention + (tied ? "_tied" : "_untied") + (base < 1e5f ? "_rope1e4" : "_rope5e5") + suffix, {},
                 oh::lm::GgmlType::F32, 100 * seed + static_cast<uint32_t>(cases.size())};
          c.shape.n_head_kv = n_head_kv;
          c.shape.tied_output = tied;
          c.shape.rope_base = base;
          cases.push_back(c);
        }
    for (auto type : {oh::lm::GgmlType::F16, oh::lm::GgmlType::Q8_0, oh::lm::GgmlType::BF16, oh::lm::GgmlType::Q4_0}) {
      Case c{std::string("gqa_untied_rope5e5_") + oh::lm::ggml_type_traits(type).name + suffix, {}, type,
             100 * seed + static_cast<uint32_t>(cases.size())};
      c.shape.tied_output = false;
      cases.push_back(c);
    }
    // K-quants: rows of 256 values at least; tied, so the output projection reads the embedding's blocks.
    for (auto type : {oh::lm::GgmlType::Q4_K, oh::lm::GgmlType::Q6_K}) {
      Case c{std::string("gqa_tied_d256_") + oh::lm::ggml_type_traits(type).name + suffix, {}, type,
             100 * seed + static_cast<uint32_t>(cases.size())};
      c.shape.n_embd = 256;
      c.shape.n_ff = 256;
      cases.push_back(c);
    }
    // Llama-3.1 rope scaling: per-pair divisors of the rotary frequencies (rope_freqs).
    for (auto type : {oh::lm::GgmlType::F32, oh::lm::GgmlType::Q8_0}) {
      Case c{std::string("gqa_untied_ropefreqs_") + oh::lm::ggml_type_traits(type).name + suffix, {}, type,
             100 * seed + static_cast<uint32_t>(cases.size())};
      c.shape.tied_output = false;
      c.shape.rope_freqs = true;
      cases.push_back(c);
    }
  }
  for (auto& c : cases) {
    // Two layers, weights large enough for sharp attention (a wrong rotary, mask or head mapping
    // changes the logits by far more than the tolerance), norms not all ones.
    c.shape.n_layer = 2;
    c.shape.weight_std = 0.3f;
    c.shape.random_norms = true;
  }
  return cases;
}

/// Whether llama.cpp's CPU backend runs its AMX kernels here: ggml loads its AMX-enabled variant
/// (sapphirerapids) when the CPU has AMX-INT8 and AVX512-VNNI.
bool cpu_has_amx() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words(line);
      const std::set<std::string> flags{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
      return flags.count("amx_int8") && flags.count("avx512_vnni");
    }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s TOKENIZER_JSON OUT_DIR [SEEDS]\n", argv[0]);
    return 2;
  }
  try {
    const std::string out_dir = argv[2];
    const uint32_t seeds = argc == 4 ? static_cast<uint32_t>(std::stoul(argv[3])) : 1;
    const auto vocabulary = oh::lm::load_tokenizer(argv[1]).vocabulary();
    const bool amx = cpu_has_amx();
    std::fprintf(stderr, "lm_logits_cases: emulating llama.cpp's %s CPU dispatch for F16 weights\n", amx ? "AMX" : "non-AMX");
    nlohmann::json listing = nlohmann::json::array();
    for (const Case& c : all_cases(seeds)) {
      const std::string model_path = out_dir + "/" + c.name + ".gguf";
      oh::lm::testing::write_tiny_llama(model_path, vocabulary, c.shape, c.seed, c.weights);
      // BOS, then random ids (special tokens included) from the case's own stream.
      oh::RandomState rng(c.seed + 7);
      std::vector<int64_t> tokens = {128000};
      while (tokens.size() < 12) tokens.push_back(static_cast<int64_t>(rng.random_interval(vocabulary.tokens.size() - 1)));
      const bool f32 = c.weights == oh::lm::GgmlType::F32;
      nlohmann::json variants = nlohmann::json::array();
      const oh::lm::LogitsMatrix fp32 = oh::lm::load_model(model_path)->logits(tokens);
      oh::lm::write_logits(out_dir + "/" + c.name + ".fp32.npy", fp32);
      if (f32) {
        variants.push_back({{"name", "fp32"}, {"rounding_effect", 0.0}});
      } else {
        // The emulation of llama.cpp's activation rounding must agree like F32 does; our default fp32
        // numerics then differ from llama.cpp by at most that bound plus the rounding's own effect on
        // this model, max|rounded − fp32| (triangle inequality): the tolerance derived per case.
        oh::lm::ModelOptions rounded;
        rounded.llama_cpp_rounding = true;
        rounded.llama_cpp_amx = amx;
        const oh::lm::LogitsMatrix emulated = oh::lm::load_model(model_path, rounded)->logits(tokens);
        oh::lm::write_logits(out_dir + "/" + c.name + ".rounded.npy", emulated);
        double effect = 0;
        for (size_t i = 0; i < fp32.values.size(); ++i)
          effect = std::max(effect, std::abs(static_cast<double>(fp32.values[i]) - emulated.values[i]));
        variants.push_back({{"name", "rounded"}, {"rounding_effect", 0.0}});
        variants.push_back({{"name", "fp32"}, {"rounding_effect", effect}});
      }
      listing.push_back({{"name", c.name}, {"weights", oh::lm::ggml_type_traits(c.weights).name}, {"tokens", tokens},
                         {"variants", variants}});
    }
    oh::write_file_atomically(out_dir + "/cases.json", listing.dump(1) + "\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lm_logits_cases: %s\n", e.what());
    return 1;
  }
}
