// The Llama builder on the newer weight types and Llama-3.1 rope scaling, without a reference:
// a BF16/Q4_0/Q4_K/Q6_K model gives exactly the logits of the F32 model holding its dequantised
// values (weights are converted, nothing else changes); rope_freqs of ones is no rope_freqs, other
// divisors move the logits; rope scaling the builder does not implement (GGUF keys, or linear scaling
// in a Hugging Face config.json) is an InputError.
// (Agreement with llama.cpp: lm_logits_conformance, label `reference`.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.h"
#include "hf_llama_export.h"
#include "lm/arch/architecture_registry.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_writer.h"
#include "tiny_llama.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;

class QuantLlamaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oh_quant_llama_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    vocabulary_ = testing::numbered_vocabulary(300);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_model(const std::string& name, GgmlType type, testing::TinyLlamaShape shape = {}) {
    shape.n_layer = 2;
    shape.weight_std = 0.3f;
    shape.random_norms = true;
    const std::string path = (dir_ / name).string();
    testing::write_tiny_llama(path, vocabulary_, shape, 11, type);
    return path;
  }

  /// Copies `source` with every tensor as F32 (its dequantised values), letting `edit` change the
  /// writer (metadata, extra tensors) first.
  std::string as_f32(const std::string& source, const std::string& name, const std::function<void(GgufWriter&)>& edit = {}) {
    const GgufFile file = GgufFile::open(source);
    GgufWriter writer;
    for (const auto& [key, value] : file.metadata()) writer.set(key, value);
    if (edit) edit(writer);
    for (const auto& info : file.tensors()) writer.add_tensor(info.name, info.shape(), file.dequantized(info), GgmlType::F32);
    const std::string path = (dir_ / name).string();
    writer.write(path);
    return path;
  }

  static LogitsMatrix logits(const std::string& path) { return load_model(path)->logits({1, 7, 42, 299, 5, 5, 123}); }

  static double max_abs_difference(const LogitsMatrix& a, const LogitsMatrix& b) {
    EXPECT_EQ(a.values.size(), b.values.size());
    double worst = 0;
    for (size_t i = 0; i < a.values.size(); ++i) worst = std::max(worst, std::abs(double(a.values[i]) - b.values[i]));
    return worst;
  }

  fs::path dir_;
  Vocabulary vocabulary_;
};

TEST_F(QuantLlamaTest, QuantisedWeightsGiveTheLogitsOfTheirDequantisedValues) {
  testing::TinyLlamaShape k_shape;
  k_shape.n_embd = 256;
  k_shape.n_ff = 256;
  for (auto [type, shape] : {std::pair{GgmlType::BF16, testing::TinyLlamaShape{}}, std::pair{GgmlType::Q4_0, testing::TinyLlamaShape{}},
                             std::pair{GgmlType::Q4_K, k_shape}, std::pair{GgmlType::Q6_K, k_shape}}) {
    const std::string name = ggml_type_traits(type).name;
    const std::string quantised = write_model(name + ".gguf", type, shape);
    EXPECT_EQ(GgufFile::open(quantised).tensor("blk.1.ffn_down.weight").type, type);
    const LogitsMatrix got = logits(quantised), want = logits(as_f32(quantised, name + "_f32.gguf"));
    EXPECT_EQ(max_abs_difference(got, want), 0.0) << name;
    // And the quantisation itself is visible: the model differs from its F32 original.
    EXPECT_GT(max_abs_difference(got, logits(write_model(name + "_orig.gguf", GgmlType::F32, shape))), 1e-3) << name;
  }
}

TEST_F(QuantLlamaTest, ALargeVocabularyProjectsInSlicesWithTheSameLogits) {
  // 40000 rows: the converted output projection goes in slices of 16384 rows (3 slices, the last short).
  vocabulary_ = testing::numbered_vocabulary(40000);
  testing::TinyLlamaShape untied;
  untied.tied_output = false;
  const std::string quantised = write_model("wide.gguf", GgmlType::Q8_0, untied);
  const LogitsMatrix got = load_model(quantised)->logits({1, 39999, 16384, 16383, 32768}),
                     want = load_model(as_f32(quantised, "wide_f32.gguf"))->logits({1, 39999, 16384, 16383, 32768});
  EXPECT_EQ(got.vocab, 40000);
  EXPECT_EQ(max_abs_difference(got, want), 0.0);
}

TEST_F(QuantLlamaTest, AWeightTypeWithoutAConversionIsAnInputError) {
  // A Q8_0 model whose ffn_up claims Q4_1 (20-byte blocks: still within the file): the tensor info is the
  // name, its dimension count (u32), two u64 dimensions, then the type id (u32).
  const std::string path = write_model("q41.gguf", GgmlType::Q8_0);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string name = "blk.1.ffn_up.weight";
  const size_t at = bytes.find(name);
  ASSERT_NE(at, std::string::npos);
  const size_t type_at = at + name.size() + 4 + 2 * 8;
  uint32_t type;
  std::memcpy(&type, bytes.data() + type_at, 4);
  ASSERT_EQ(type, static_cast<uint32_t>(GgmlType::Q8_0));
  type = static_cast<uint32_t>(GgmlType::Q4_1);
  std::memcpy(bytes.data() + type_at, &type, 4);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  try {
    load_model(path);
    ADD_FAILURE() << "a Q4_1 weight was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'blk.1.ffn_up.weight' has type Q4_1, which this engine cannot read yet"), std::string::npos)
        << e.what();
  }
}

TEST_F(QuantLlamaTest, RopeFreqsDivideTheRotaryFrequencies) {
  testing::TinyLlamaShape plain;
  const std::string without = write_model("plain.gguf", GgmlType::F32, plain);
  const uint64_t pairs = plain.n_embd / plain.n_head / 2;
  auto with_divisors = [&](const std::string& name, std::vector<float> divisors) {
    return as_f32(without, name, [&](GgufWriter& w) { w.add_tensor("rope_freqs.weight", {divisors.size()}, divisors, GgmlType::F32); });
  };
  EXPECT_EQ(max_abs_difference(logits(without), logits(with_divisors("ones.gguf", std::vector<float>(pairs, 1.0f)))), 0.0);
  std::vector<float> slower(pairs, 1.0f);
  slower.back() = 8.0f;  // only the slowest pair: still changes what the heads see
  EXPECT_GT(max_abs_difference(logits(without), logits(with_divisors("slower.gguf", slower))), 1e-3);
  // Any divisors leave position 0 alone (its rotation angle is 0 whatever the frequency).
  const LogitsMatrix halved = logits(with_divisors("halved.gguf", std::vector<float>(pairs, 2.0f))), base = logits(without);
  for (int64_t v = 0; v < base.vocab; ++v) EXPECT_EQ(halved.values[v], base.values[v]) << v;
  std::vector<float> bad(pairs, 1.0f);
  bad[1] = 0.0f;
  EXPECT_THROW(load_model(with_divisors("zero.gguf", bad)), InputError);
  EXPECT_THROW(load_model(with_divisors("short.gguf", std::vector<float>(pairs - 1, 1.0f))), InputError);
}

TEST_F(QuantLlamaTest, UnimplementedRopeScalingIsAnInputError) {
  const std::string plain = write_model("plain.gguf", GgmlType::F32);
  auto expect_error = [&](const std::string& name, const std::function<void(GgufWriter&)>& edit, const std::string& message) {
    try {
      load_model(as_f32(plain, name, edit));
      ADD_FAILURE() << name << ": no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  expect_error("linear.gguf", [](GgufWriter& w) {
    w.set_string("llama.rope.scaling.type", "linear");
    w.set_f32("llama.rope.scaling.factor", 4.0f);
  }, "llama.rope.scaling.type 'linear' is not supported");
  expect_error("yarn.gguf", [](GgufWriter& w) { w.set_string("llama.rope.scaling.type", "yarn"); }, "'yarn' is not supported");
  expect_error("factor.gguf", [](GgufWriter& w) { w.set_f32("llama.rope.scaling.factor", 2.0f); }, "linear rope scaling");
  // "none", or a factor of 1, leaves the model as it is.
  const LogitsMatrix base = logits(plain);
  EXPECT_EQ(max_abs_difference(base, logits(as_f32(plain, "none.gguf", [](GgufWriter& w) {
              w.set_string("llama.rope.scaling.type", "none");
              w.set_f32("llama.rope.scaling.factor", 4.0f);
            }))), 0.0);
  EXPECT_EQ(max_abs_difference(base, logits(as_f32(plain, "one.gguf", [](GgufWriter& w) { w.set_f32("llama.rope.scaling.factor", 1.0f); }))), 0.0);
}

TEST_F(QuantLlamaTest, LinearRopeScalingInAHuggingFaceConfigIsAnInputError) {
  const std::string dir = (dir_ / "hf").string();
  testing::export_llama_as_hf(GgufFile::open(write_model("plain.gguf", GgmlType::F32)), dir, SafetensorsDtype::F32);
  const std::string config_path = dir + "/config.json";
  nlohmann::json config = nlohmann::json::parse(std::ifstream(config_path));
  EXPECT_NO_THROW(load_model(dir));
  config["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 2.0}};
  std::ofstream(config_path) << config.dump();
  try {
    load_model(dir);
    ADD_FAILURE() << "linear rope scaling was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("llama.rope.scaling.type 'linear' is not supported"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace oh::lm
