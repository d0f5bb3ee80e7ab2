// One model saved as GGUF and as Hugging Face safetensors (one file and sharded) gives identical
// logits and identical values at every hook point (issue 3 item 7). GQA, MHA and MQA, tied and untied,
// F32 and F16 GGUF weights (exported to F32 safetensors, so the weights are the same floats).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>

#include "hf_llama_export.h"
#include "hooks/run.h"
#include "lm/arch/hooked_language_model.h"
#include "lm/format/gguf_reader.h"
#include "lm/tiny_llama.h"
#include "test_files.h"

namespace oh::lm {
namespace {

struct Case {
  const char* name;
  uint32_t n_head_kv;
  bool tied;
  float rope_base;
  GgmlType weights;
};

TEST(SameModel, GgufAndSafetensorsGiveIdenticalLogitsAndHooks) {
  Vocabulary vocabulary;
  for (int i = 0; i < 50; ++i) vocabulary.tokens.push_back("t" + std::to_string(i));
  vocabulary.types.assign(vocabulary.tokens.size(), TokenType::Normal);
  const std::vector<int64_t> tokens = {1, 7, 3, 49, 0, 12, 12, 5};
  const at::Tensor input = at::tensor(tokens, at::TensorOptions().dtype(at::kLong)).unsqueeze(0);
  const Case cases[] = {{"gqa_tied", 2, true, 500000.0f, GgmlType::F32},
                        {"mha_untied", 4, false, 500000.0f, GgmlType::F32},
                        {"mqa_tied", 1, true, 10000.0f, GgmlType::F32},
                        {"gqa_untied_f16", 2, false, 500000.0f, GgmlType::F16}};
  uint32_t seed = 10;
  for (const Case& c : cases) {
    testing::TinyLlamaShape shape;
    shape.n_layer = 2;
    shape.n_head_kv = c.n_head_kv;
    shape.tied_output = c.tied;
    shape.rope_base = c.rope_base;
    shape.random_norms = true;
    shape.weight_std = 0.3f;  // sharp attention: a rotary layout error shows in every later hook
    const std::string gguf = testing::temp_path(std::string(c.name) + ".gguf");
    const std::string single = testing::temp_path(std::string(c.name) + "_hf"), sharded = single + "_sharded";
    testing::write_tiny_llama(gguf, vocabulary, shape, seed++, c.weights);
    testing::export_llama_as_hf(GgufFile::open(gguf), single, SafetensorsDtype::F32);
    testing::export_llama_as_hf(GgufFile::open(gguf), sharded, SafetensorsDtype::F32, 3000);

    const auto from_gguf = load_hooked_model(gguf);
    const LogitsMatrix reference = from_gguf->logits(tokens);
    const hooks::CachedRun reference_run = hooks::run_with_cache(*from_gguf, input);
    for (const std::string& path : {single, sharded + "/model.safetensors.index.json"}) {
      const auto from_safetensors = load_hooked_model(path);
      EXPECT_EQ(from_safetensors->logits(tokens).values, reference.values) << c.name << " " << path;
      const hooks::CachedRun run = hooks::run_with_cache(*from_safetensors, input);
      ASSERT_EQ(run.cache.entries().size(), reference_run.cache.entries().size());
      for (const auto& [name, value] : reference_run.cache.entries())
        EXPECT_TRUE(at::equal(run.cache.at(name), value)) << c.name << " " << path << " " << name;
    }
    std::filesystem::remove(gguf);
    std::filesystem::remove_all(single);
    std::filesystem::remove_all(sharded);
  }
}

}  // namespace
}  // namespace oh::lm
