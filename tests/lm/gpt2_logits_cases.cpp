// Writes the inputs of the GPT-2 logits conformance against llama.cpp, in the format logits_conformance.mjs
// reads (the same script compares them):
//   OUT/<case>.gguf           a random tiny GPT-2 (2 layers, F32) with a small byte-level vocabulary
//   OUT/<case>.rounded.npy    our logits with ModelOptions::llama_cpp_rounding (llama.cpp's fp16 GELU table)
//   OUT/<case>.fp32.npy       our default logits (exact gelu_new)
//   OUT/cases.json            [{name, weights, tokens, variants: [{name, rounding_effect}]}]
// Every variant must agree with llama.cpp to 1e-4·max(1, max|logit|) + rounding_effect.
// The table is a step function of the GELU input rounded to fp16: where our c_fc output lies within
// float32 reassociation distance of a step (an fp16 rounding tie, or the ±10 clamps), llama.cpp's own
// float32 sum may land on the other side, which moves that GELU output by up to one fp16 step of the
// input (~2^-11·|x|). No emulation can know which side llama.cpp lands on, so the emulation's
// rounding_effect is max over logits of the sum over such ambiguous elements of |the logit's change from
// taking the other side| (each measured by replaying the emulated run with that one element replaced: a
// first-order bound on any combination of them). The distance counted as ambiguous is 4·u·(|W_fc|·|x| + |b_fc|) per element
// (u = 2^-24): two float32 summation orders of a dot product differ like a random walk of roundings,
// about u times the sum of absolute terms, and 4 of those also covers the float32 differences the inputs
// carry from earlier layers (the worst-case bound γ_(n+1)·sum is ~130 times larger, never reached, and
// would call most inputs ambiguous). This radius is a probabilistic margin, not a worst case.
// The exact GELU (fp32 variant) then gets, by the triangle inequality, that plus the table's effect on
// the case's own logits, max|rounded − fp32|.
// Cases: tied and untied output × SEEDS seeds (default 3).
// usage: lm_gpt2_logits_cases OUT_DIR [SEEDS]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/atomic_file.h"
#include "core/numpy_random.h"
#include "hooks/run.h"
#include "lm/arch/architecture_registry.h"
#include "lm/arch/gpt2.h"
#include "lm/arch/hooked_language_model.h"
#include "lm/arch/logits_file.h"
#include "lm/format/gguf_reader.h"
#include "tiny_gpt2.h"

namespace {

at::Tensor tensor_of(const oh::lm::GgufFile& file, const std::string& name) {
  const oh::lm::GgufTensorInfo& info = file.tensor(name);
  const std::vector<uint64_t> dims = info.shape();
  return at::tensor(file.dequantized(info), at::kFloat).view(std::vector<int64_t>(dims.begin(), dims.end()));
}

struct FlipBound {
  double effect = 0;  // max over logits of the sum over ambiguous GELU inputs of |logit(other side) − logit(emulated)|
  int64_t ambiguous = 0;
};

/// The bound described at the top, for the emulating `model` of `file` on `tokens`.
FlipBound table_step_bound(const oh::lm::HookedLanguageModel& model, const oh::lm::GgufFile& file,
                           const std::vector<int64_t>& tokens) {
  const at::Tensor ids = at::tensor(tokens, at::kLong).unsqueeze(0);
  const oh::hooks::CachedRun run = oh::hooks::run_with_cache(model, ids);
  FlipBound bound;
  at::Tensor changes = at::zeros_like(run.output);  // per logit, the sum of |change| over ambiguous inputs
  for (int l = 0; l < model.n_layers(); ++l) {
    const std::string block = "blocks." + std::to_string(l) + ".", blk = "blk." + std::to_string(l) + ".";
    const at::Tensor ln2_out = run.cache[block + "ln2.hook_normalized"][0] * tensor_of(file, blk + "ffn_norm.weight") +
                               tensor_of(file, blk + "ffn_norm.bias");
    const at::Tensor w = tensor_of(file, blk + "ffn_up.weight"), b = tensor_of(file, blk + "ffn_up.bias");
    const double u = 1.0 / (1 << 24);
    const at::Tensor reach = 4 * u * (at::matmul(ln2_out.abs(), w.abs().t()) + b.abs());  // [p, ff]
    const at::Tensor pre = run.cache[block + "mlp.hook_pre"][0].contiguous(), post = run.cache[block + "mlp.hook_post"][0];
    for (int64_t p = 0; p < pre.size(0); ++p)
      for (int64_t j = 0; j < pre.size(1); ++j) {
        const float x = pre[p][j].item<float>(), r = reach[p][j].item<float>(), y = oh::lm::llama_cpp_gelu(x);
        for (float other : {oh::lm::llama_cpp_gelu(x - r), oh::lm::llama_cpp_gelu(x + r)}) {
          if (other == y) continue;
          ++bound.ambiguous;
          auto replace = [&](const at::Tensor& v, const oh::hooks::HookContext&) -> std::optional<at::Tensor> {
            at::Tensor out = v.clone();
            out[0][p][j] = other;
            return out;
          };
          const at::Tensor flipped = oh::hooks::run_with_hooks(model, ids, {{block + "mlp.hook_post", replace}});
          changes += (flipped - run.output).abs();
        }
      }
  }
  bound.effect = changes.max().item<double>();
  return bound;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR [SEEDS]\n", argv[0]);
    return 2;
  }
  try {
    const std::string out_dir = argv[1];
    const uint32_t seeds = argc == 3 ? static_cast<uint32_t>(std::stoul(argv[2])) : 3;
    const oh::lm::Vocabulary vocabulary = oh::lm::testing::tiny_gpt2_vocabulary();
    nlohmann::json listing = nlohmann::json::array();
    for (uint32_t seed = 0; seed < seeds; ++seed)
      for (bool tied : {true, false}) {
        const std::string name = std::string("gpt2_") + (tied ? "tied" : "untied") + "_s" + std::to_string(seed);
        const uint32_t model_seed = 100 * seed + (tied ? 0 : 1);
        oh::lm::testing::TinyGpt2Shape shape;
        shape.tied_output = tied;
        shape.weight_std = 0.3f;  // sharp attention and GELU inputs of a few units: mask, position and GELU errors show
        const std::string model_path = out_dir + "/" + name + ".gguf";
        oh::lm::testing::write_tiny_gpt2(model_path, vocabulary, shape, model_seed);
        // <|endoftext|>, then random ids (the special token included) from the case's own stream.
        oh::RandomState rng(model_seed + 7);
        std::vector<int64_t> tokens = {vocabulary.bos_id};
        while (tokens.size() < 12) tokens.push_back(static_cast<int64_t>(rng.random_interval(vocabulary.tokens.size() - 1)));

        const oh::lm::LogitsMatrix exact = oh::lm::load_model(model_path)->logits(tokens);
        oh::lm::ModelOptions emulate;
        emulate.llama_cpp_rounding = true;
        const auto emulating = oh::lm::load_hooked_model(model_path, emulate);
        const oh::lm::LogitsMatrix rounded = emulating->logits(tokens);
        const FlipBound steps = table_step_bound(*emulating, oh::lm::GgufFile::open(model_path), tokens);
        oh::lm::write_logits(out_dir + "/" + name + ".fp32.npy", exact);
        oh::lm::write_logits(out_dir + "/" + name + ".rounded.npy", rounded);
        double effect = 0;
        for (size_t i = 0; i < exact.values.size(); ++i)
          effect = std::max(effect, std::abs(static_cast<double>(exact.values[i]) - rounded.values[i]));
        std::fprintf(stderr, "lm_gpt2_logits_cases: %s: GELU table effect on the logits %.3e; %lld GELU inputs near a table step, bound on their effect %.3e\n",
                     name.c_str(), effect, static_cast<long long>(steps.ambiguous), steps.effect);
        listing.push_back({{"name", name},
                           {"weights", "F32"},
                           {"tokens", tokens},
                           {"variants", {{{"name", "rounded"}, {"rounding_effect", steps.effect}},
                                         {{"name", "fp32"}, {"rounding_effect", effect + steps.effect}}}}});
      }
    oh::write_file_atomically(out_dir + "/cases.json", listing.dump(1) + "\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lm_gpt2_logits_cases: %s\n", e.what());
    return 1;
  }
}
