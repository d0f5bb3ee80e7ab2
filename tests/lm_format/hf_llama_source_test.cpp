// Hugging Face Llama checkpoints as model sources: config.json, the HF -> GGUF tensor names, the
// rotary row layouts (derived and checked on the rotation itself), the GGUF -> HF exporter (one file,
// sharded, BF16), llama3 rope factors, and malformed checkpoints as InputError.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/numpy_random.h"
#include "hf_llama_export.h"
#include "lm/format/gguf_model_source.h"
#include "lm/format/gguf_writer.h"
#include "lm/format/hf_llama_config.h"
#include "lm/format/hf_llama_source.h"
#include "test_files.h"
#include "lm/tiny_llama.h"

namespace oh::lm {
namespace {

using nlohmann::json;
using testing::temp_path;
using testing::write_bytes;

json tiny_config() {
  return {{"model_type", "llama"}, {"hidden_size", 8},  {"num_hidden_layers", 1}, {"num_attention_heads", 2},
          {"num_key_value_heads", 1}, {"intermediate_size", 16}, {"vocab_size", 6}, {"rms_norm_eps", 1e-5},
          {"rope_theta", 500000.0}, {"tie_word_embeddings", true}};
}

void expect_config_error(json config, const std::string& must_mention) {
  try {
    parse_hf_llama_config(config, "config.json");
    ADD_FAILURE() << must_mention << ": accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(must_mention), std::string::npos) << e.what();
  }
}

TEST(HfLlamaConfig, ReadsKeysAndDefaults) {
  const HfLlamaConfig c = parse_hf_llama_config(tiny_config(), "config.json");
  EXPECT_EQ(c.hidden_size, 8);
  EXPECT_EQ(c.num_key_value_heads, 1);
  EXPECT_EQ(c.head_dim(), 4);
  EXPECT_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_EQ(c.rope_theta, 500000.0);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_TRUE(c.rope_scaling.type.empty());
  json minimal = tiny_config();
  for (const char* key : {"num_key_value_heads", "rms_norm_eps", "rope_theta", "tie_word_embeddings"}) minimal.erase(key);
  minimal["rope_scaling"] = nullptr;
  const HfLlamaConfig d = parse_hf_llama_config(minimal, "config.json");  // transformers' LlamaConfig defaults
  EXPECT_EQ(d.num_key_value_heads, 2);
  EXPECT_EQ(d.rms_norm_eps, 1e-6);
  EXPECT_EQ(d.rope_theta, 10000.0);
  EXPECT_FALSE(d.tie_word_embeddings);
  EXPECT_EQ(parse_hf_llama_config(c.to_json(), "round trip").to_json(), c.to_json());
}

TEST(HfLlamaConfig, RejectsWhatTheEngineCannotRun) {
  auto with = [](const char* key, json value) {
    json c = tiny_config();
    c[key] = std::move(value);
    return c;
  };
  json missing = tiny_config();
  missing.erase("hidden_size");
  expect_config_error(missing, "config.json: hidden_size: missing");
  expect_config_error(with("model_type", "gpt2"), "model_type: 'gpt2' is not a Llama model");
  expect_config_error(with("hidden_size", -8), "hidden_size: expected a positive integer, found -8");
  expect_config_error(with("hidden_size", 8.5), "expected a positive integer");
  expect_config_error(with("hidden_size", 9), "not a multiple of num_attention_heads");
  expect_config_error(with("num_key_value_heads", 3), "does not divide");
  expect_config_error(with("num_attention_heads", 8), "head dimension 1 is odd");
  expect_config_error(with("head_dim", 8), "head_dim: differs");
  expect_config_error(with("rms_norm_eps", "small"), "rms_norm_eps: expected a positive number");
  expect_config_error(with("attention_bias", true), "biases are not supported");
  expect_config_error(with("hidden_act", "gelu"), "'gelu' is not supported");
  expect_config_error(with("tie_word_embeddings", 1), "expected true or false");
  expect_config_error(with("rope_scaling", {{"rope_type", "yarn"}, {"factor", 4.0}}), "'yarn' is not supported");
  expect_config_error(with("rope_scaling", {{"type", "linear"}}), "factor: missing");
  expect_config_error(with("rope_scaling", 3), "rope_scaling: expected an object or null");
  expect_config_error(json::array(), "expected a JSON object");
}

TEST(HfLlamaConfig, Llama3RopeFactors) {
  // head_dim 8, theta 1e4: inverse frequencies 1, 0.1, 0.01, 0.001, wavelengths 2π·{1, 10, 100, 1000}.
  HfLlamaConfig c = parse_hf_llama_config(
      [] {
        json j = tiny_config();
        j["hidden_size"] = 16, j["rope_theta"] = 10000.0;
        j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                             {"original_max_position_embeddings", 8192}};
        return j;
      }(),
      "config.json");
  // Bands at wavelengths 8192/4 = 2048 and 8192: the first three are kept (divisor 1); 2000π = 6283.2
  // is between, smooth = (8192/6283.2 − 1)/3 = 0.101266, divisor = 1/((1 − smooth)/8 + smooth) = 4.68148.
  std::vector<float> f = llama3_rope_factors(c);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_EQ(f[1], 1.0f);
  EXPECT_EQ(f[2], 1.0f);
  EXPECT_NEAR(f[3], 4.68148, 1e-5);
  // With an original context of 4096 the band edges are 1024 and 4096: 6283.2 is stretched by 8.
  c.rope_scaling.original_max_position_embeddings = 4096;
  f = llama3_rope_factors(c);
  EXPECT_EQ(f[2], 1.0f);
  EXPECT_EQ(f[3], 8.0f);
}

TEST(HfLlamaNames, MapToGguf) {
  EXPECT_EQ(HfLlamaSource::gguf_name("model.embed_tokens.weight"), "token_embd.weight");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.norm.weight"), "output_norm.weight");
  EXPECT_EQ(HfLlamaSource::gguf_name("lm_head.weight"), "output.weight");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.layers.12.self_attn.q_proj.weight"), "blk.12.attn_q.weight");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.layers.0.post_attention_layernorm.weight"), "blk.0.ffn_norm.weight");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.layers.3.mlp.down_proj.weight"), "blk.3.ffn_down.weight");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.layers.x.mlp.down_proj.weight"), "");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.layers.0.self_attn.q_proj.bias"), "");
  EXPECT_EQ(HfLlamaSource::gguf_name("model.layers..mlp.up_proj.weight"), "");
}

// ---- rotary layouts ----

/// llama.cpp's rotation of one head in the adjacent-pair layout: (2i, 2i+1) turn by pos·base^(−2i/d).
std::vector<double> rotate_adjacent_pairs(const std::vector<double>& q, int pos, double base) {
  const size_t d = q.size();
  std::vector<double> out(d);
  for (size_t i = 0; i < d / 2; ++i) {
    const double angle = pos * std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(d));
    out[2 * i] = q[2 * i] * std::cos(angle) - q[2 * i + 1] * std::sin(angle);
    out[2 * i + 1] = q[2 * i] * std::sin(angle) + q[2 * i + 1] * std::cos(angle);
  }
  return out;
}

/// HF's rotate_half: element i turns with i + d/2 by the same angle as pair i.
std::vector<double> rotate_half_split(const std::vector<double>& q, int pos, double base) {
  const size_t d = q.size(), h = d / 2;
  std::vector<double> out(d);
  for (size_t i = 0; i < h; ++i) {
    const double angle = pos * std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(d));
    out[i] = q[i] * std::cos(angle) - q[i + h] * std::sin(angle);
    out[i + h] = q[i + h] * std::cos(angle) + q[i] * std::sin(angle);
  }
  return out;
}

TEST(RotaryLayout, PermutedRowsRotateAlike) {
  // Projecting with the exporter's permuted rows and rotating the HF way gives the same vector, reordered
  // the same way, as projecting with GGUF's rows and rotating the llama.cpp way: both layouts describe
  // one model, so attention scores (dot products over a head) agree.
  const int64_t heads = 3, d = 8, columns = 5;
  RandomState rng(5);
  std::vector<float> w(static_cast<size_t>(heads * d * columns)), x(columns);
  for (auto& v : w) v = static_cast<float>(rng.standard_normal());
  for (auto& v : x) v = static_cast<float>(rng.standard_normal());
  const std::vector<float> w_hf = testing::adjacent_pair_to_half_split_rows(w, heads, d, columns);
  auto head_projection = [&](const std::vector<float>& weight, int64_t h) {
    std::vector<double> q(d, 0.0);
    for (int64_t r = 0; r < d; ++r)
      for (int64_t k = 0; k < columns; ++k) q[r] += double(weight[(h * d + r) * columns + k]) * x[k];
    return q;
  };
  for (int64_t h = 0; h < heads; ++h)
    for (int pos : {0, 1, 7, 300}) {
      const auto gguf = rotate_adjacent_pairs(head_projection(w, h), pos, 10000.0);
      const auto hf = rotate_half_split(head_projection(w_hf, h), pos, 10000.0);
      for (int64_t i = 0; i < d / 2; ++i)
        for (int64_t c = 0; c < 2; ++c) EXPECT_EQ(hf[c * d / 2 + i], gguf[2 * i + c]) << h << " " << pos << " " << i;
    }
}

// ---- exported tiny Llamas ----

Vocabulary counting_vocabulary(int size) {
  Vocabulary v;
  for (int i = 0; i < size; ++i) v.tokens.push_back("t" + std::to_string(i));
  v.types.assign(v.tokens.size(), TokenType::Normal);
  return v;
}

class ExportedLlama : public ::testing::TestWithParam<bool> {  // parameter: tied output
 protected:
  void SetUp() override {
    gguf_path_ = temp_path("tiny.gguf");
    dir_ = temp_path("tiny_hf");
    std::filesystem::remove_all(dir_);
    shape_.n_layer = 2;
    shape_.tied_output = GetParam();
    shape_.random_norms = true;
    testing::write_tiny_llama(gguf_path_, counting_vocabulary(40), shape_, 3);
  }
  void TearDown() override {
    std::filesystem::remove(gguf_path_);
    std::filesystem::remove_all(dir_);
  }

  std::string gguf_path_, dir_;
  testing::TinyLlamaShape shape_;
};

TEST_P(ExportedLlama, ReadsAsTheGgufModel) {
  const GgufFile gguf = GgufFile::open(gguf_path_);
  testing::export_llama_as_hf(gguf, dir_, SafetensorsDtype::F32);
  const auto source = open_model_source(dir_);
  const auto* hf = dynamic_cast<const HfLlamaSource*>(source.get());
  ASSERT_NE(hf, nullptr);
  EXPECT_TRUE(source->rotary_rows_half_split());
  for (const char* key : {"llama.embedding_length", "llama.block_count", "llama.feed_forward_length", "llama.attention.head_count",
                          "llama.attention.head_count_kv", "llama.context_length", "llama.rope.dimension_count", "llama.vocab_size"})
    EXPECT_EQ(source->at(key).as_int(key), gguf.at(key).as_int(key)) << key;
  for (const char* key : {"llama.attention.layer_norm_rms_epsilon", "llama.rope.freq_base"})  // float32 in both
    EXPECT_EQ(source->at(key).as_double(key), gguf.at(key).as_double(key)) << key;
  EXPECT_EQ(source->at("general.architecture").as_string("arch"), "llama");

  size_t weights = 0;
  for (const GgufTensorInfo& g : gguf.tensors()) {
    const GgufTensorInfo& s = source->tensor(g.name);
    ++weights;
    EXPECT_EQ(s.shape(), g.shape()) << g.name;
    EXPECT_EQ(s.type, GgmlType::F32);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(s.data) % alignof(float), 0u);
    const std::vector<float> want = gguf.dequantized(g), got = source->to_float(s);
    const bool rotary = g.name.find("attn_q") != std::string::npos || g.name.find("attn_k") != std::string::npos;
    if (!rotary) {
      EXPECT_EQ(got, want) << g.name;
      continue;
    }
    // The builder's own reordering of GGUF rows, (head, pair i, component c) -> (head, c, i), must give
    // the rows the safetensors source holds.
    const int64_t d = shape_.n_embd / shape_.n_head, columns = shape_.n_embd, heads = static_cast<int64_t>(g.shape()[0]) / d;
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < d / 2; ++i)
        for (int64_t c = 0; c < 2; ++c)
          for (int64_t k = 0; k < columns; ++k)
            ASSERT_EQ(got[((h * 2 + c) * (d / 2) + i) * columns + k], want[((h * (d / 2) + i) * 2 + c) * columns + k]) << g.name;
  }
  EXPECT_EQ(weights, 2u + 9u * shape_.n_layer + (shape_.tied_output ? 0u : 1u));
  EXPECT_EQ(source->find_tensor("output.weight") == nullptr, shape_.tied_output);
  EXPECT_EQ(source->find_tensor("rope_freqs.weight"), nullptr);
}

TEST_P(ExportedLlama, ShardedAndBf16ExportsHoldTheSameWeights) {
  const GgufFile gguf = GgufFile::open(gguf_path_);
  const std::string single = dir_ + "/single", sharded = dir_ + "/sharded", bf16 = dir_ + "/bf16";
  testing::export_llama_as_hf(gguf, single, SafetensorsDtype::F32);
  testing::export_llama_as_hf(gguf, sharded, SafetensorsDtype::F32, 5000);
  testing::export_llama_as_hf(gguf, bf16, SafetensorsDtype::BF16);
  const auto a = open_model_source(single + "/model.safetensors");
  const auto b = open_model_source(sharded + "/model.safetensors.index.json");
  const auto c = open_model_source(bf16);
  EXPECT_GT(dynamic_cast<const HfLlamaSource&>(*b).checkpoint().files().size(), 2u);
  for (const GgufTensorInfo& g : gguf.tensors()) {
    const std::vector<float> want = a->to_float(a->tensor(g.name));
    EXPECT_EQ(b->to_float(b->tensor(g.name)), want) << g.name;
    EXPECT_EQ(c->tensor(g.name).type, GgmlType::BF16);
    std::vector<float> rounded = want;
    for (float& v : rounded) v = bfloat16_to_float(float_to_bfloat16(v));
    EXPECT_EQ(c->to_float(c->tensor(g.name)), rounded) << g.name;
  }
}

INSTANTIATE_TEST_SUITE_P(TiedAndUntied, ExportedLlama, ::testing::Bool());

TEST(GgufModelSource, PresentsTheFileAsItIs) {
  const std::string path = temp_path("plain.gguf");
  testing::write_tiny_llama(path, counting_vocabulary(20), {}, 1, GgmlType::Q8_0);
  const auto source = open_model_source(path);
  ASSERT_NE(dynamic_cast<const GgufModelSource*>(source.get()), nullptr);
  EXPECT_FALSE(source->rotary_rows_half_split());
  const GgufFile gguf = GgufFile::open(path);
  EXPECT_EQ(source->to_float(source->tensor("blk.0.attn_q.weight")), gguf.dequantized(gguf.tensor("blk.0.attn_q.weight")));
  EXPECT_THROW(source->at("llama.no_such_key"), InputError);
  std::filesystem::remove(path);
}

TEST(GgufModelSource, RealignsF32TensorsOfAByteAlignedFile) {
  // general.alignment 1 packs tensors back to back: a 1-3 element F16 tensor first leaves the F32 one
  // misaligned in the map for one of those counts; the source must hand out an aligned copy.
  const std::string path = temp_path("align1.gguf");
  bool exercised = false;
  for (uint64_t halves = 1; halves <= 3; ++halves) {
    GgufWriter w(1);
    w.add_tensor("a", {halves}, std::vector<float>(halves, 0.5f), GgmlType::F16);
    w.add_tensor("b", {3}, {1.0f, -2.0f, 3.5f}, GgmlType::F32);
    w.write(path);
    const auto source = open_model_source(path);
    const auto& gguf = dynamic_cast<const GgufModelSource&>(*source).file();
    exercised |= reinterpret_cast<uintptr_t>(gguf.tensor("b").data) % alignof(float) != 0;
    const GgufTensorInfo& b = source->tensor("b");
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data) % alignof(float), 0u);
    std::vector<float> values(3);
    std::memcpy(values.data(), b.data, 12);  // read as the builder does (in place)
    EXPECT_EQ(values, (std::vector<float>{1.0f, -2.0f, 3.5f}));
  }
  EXPECT_TRUE(exercised);
  std::filesystem::remove(path);
}

// ---- malformed checkpoints ----

struct RawTensor {
  std::string name, dtype;
  std::vector<uint64_t> shape;
};

/// A checkpoint with tensors in the given order, no padding between them (the writer would reorder them
/// by element size), and `config` as config.json. F32 tensors hold 0, 1, 2, ...; others zeros.
void write_raw_checkpoint(const std::string& dir, const json& config, const std::vector<RawTensor>& tensors) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  json header = json::object();
  uint64_t offset = 0;
  std::string data;
  for (const RawTensor& t : tensors) {
    uint64_t elements = 1;
    for (uint64_t d : t.shape) elements *= d;
    const uint64_t bytes = elements * find_safetensors_dtype(t.dtype)->bytes;
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    std::string values(bytes, '\0');
    if (t.dtype == "F32")
      for (uint64_t k = 0; k < elements; ++k) {
        const auto v = static_cast<float>(k);
        std::memcpy(values.data() + 4 * k, &v, 4);
      }
    data += values;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  const uint64_t length = text.size();
  std::memcpy(file.data(), &length, 8);
  file += text + data;
  write_bytes(dir + "/model.safetensors", file);
  write_bytes(dir + "/config.json", config.dump());
}

std::vector<RawTensor> tiny_tensors(const std::string& norm_dtype = "F32") {
  // tiny_config(): hidden 8, 2 heads of 4, 1 KV head, ff 16, vocab 6, tied.
  std::vector<RawTensor> t = {{"model.embed_tokens.weight", "BF16", {6, 8}}, {"model.norm.weight", norm_dtype, {8}}};
  const std::string p = "model.layers.0.";
  for (const RawTensor& r : std::vector<RawTensor>{{"input_layernorm.weight", "F16", {8}},
                                                   {"self_attn.q_proj.weight", "F32", {8, 8}},
                                                   {"self_attn.k_proj.weight", "F32", {4, 8}},
                                                   {"self_attn.v_proj.weight", "F32", {4, 8}},
                                                   {"self_attn.o_proj.weight", "F32", {8, 8}},
                                                   {"post_attention_layernorm.weight", "F32", {8}},
                                                   {"mlp.gate_proj.weight", "F32", {16, 8}},
                                                   {"mlp.up_proj.weight", "F32", {16, 8}},
                                                   {"mlp.down_proj.weight", "F32", {8, 16}}})
    t.push_back({p + r.name, r.dtype, r.shape});
  return t;
}

void expect_source_error(const std::string& dir, const std::string& must_mention) {
  try {
    HfLlamaSource source(SafetensorsCheckpoint::open(dir));
    ADD_FAILURE() << must_mention << ": opened without error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(must_mention), std::string::npos) << e.what();
  }
}

TEST(HfLlamaSource, MixedDtypesAndMisalignedF32) {
  const std::string dir = temp_path("raw_ok");
  // The F16 input_layernorm (16 bytes) after a BF16 embedding (96 bytes) and an F32 norm keeps 4-byte
  // alignment; a 3-element F16 tensor first shifts every later F32 tensor by 6 bytes.
  std::vector<RawTensor> tensors = tiny_tensors();
  tensors.insert(tensors.begin(), {"model.layers.0.self_attn.rotary_emb.inv_freq", "F16", {3}});
  write_raw_checkpoint(dir, tiny_config(), tensors);
  const auto source = open_model_source(dir);
  EXPECT_EQ(source->tensor("token_embd.weight").type, GgmlType::BF16);
  EXPECT_EQ(source->tensor("blk.0.attn_norm.weight").type, GgmlType::F16);
  for (const char* name : {"blk.0.attn_q.weight", "output_norm.weight", "blk.0.ffn_down.weight"}) {
    const GgufTensorInfo& t = source->tensor(name);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % alignof(float), 0u) << name;
    std::vector<float> ramp(t.element_count());
    for (size_t k = 0; k < ramp.size(); ++k) ramp[k] = static_cast<float>(k);
    EXPECT_EQ(source->to_float(t), ramp) << name;
  }
  EXPECT_EQ(source->find_tensor("output.weight"), nullptr);  // tied
  std::filesystem::remove_all(dir);
}

TEST(HfLlamaSource, Llama3RopeScalingBecomesRopeFreqs) {
  const std::string dir = temp_path("raw_rope");
  json config = tiny_config();
  config["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"original_max_position_embeddings", 4}};
  write_raw_checkpoint(dir, config, tiny_tensors());
  const auto source = open_model_source(dir);
  const GgufTensorInfo& freqs = source->tensor("rope_freqs.weight");
  EXPECT_EQ(freqs.shape(), std::vector<uint64_t>{2});
  EXPECT_EQ(source->to_float(freqs), llama3_rope_factors(parse_hf_llama_config(config, "c")));
  std::filesystem::remove_all(dir);
}

TEST(HfLlamaSource, MalformedCheckpoints) {
  const std::string dir = temp_path("raw_bad");
  auto with_extra = [](RawTensor extra) {
    std::vector<RawTensor> t = tiny_tensors();
    t.push_back(std::move(extra));
    return t;
  };
  write_raw_checkpoint(dir, tiny_config(), with_extra({"model.layers.0.self_attn.q_proj.bias", "F32", {8}}));
  expect_source_error(dir, "tensor 'model.layers.0.self_attn.q_proj.bias' is not a weight of a 1-layer Llama");
  write_raw_checkpoint(dir, tiny_config(), with_extra({"model.layers.1.mlp.up_proj.weight", "F32", {16, 8}}));
  expect_source_error(dir, "'model.layers.1.mlp.up_proj.weight' is not a weight of a 1-layer Llama");
  std::vector<RawTensor> missing = tiny_tensors();
  missing.pop_back();
  write_raw_checkpoint(dir, tiny_config(), missing);
  expect_source_error(dir, "missing tensor 'model.layers.0.mlp.down_proj.weight'");
  json untied = tiny_config();
  untied["tie_word_embeddings"] = false;
  write_raw_checkpoint(dir, untied, tiny_tensors());
  expect_source_error(dir, "missing tensor 'lm_head.weight' (config.json says tie_word_embeddings is false)");
  write_raw_checkpoint(dir, tiny_config(), tiny_tensors("I64"));
  expect_source_error(dir, "tensor 'model.norm.weight': dtype I64 is not supported");
  json vocab = tiny_config();
  vocab["vocab_size"] = 7;
  write_raw_checkpoint(dir, vocab, tiny_tensors());
  expect_source_error(dir, "has 6 rows, config.json's vocab_size is 7");
  std::vector<RawTensor> scalar = tiny_tensors();
  scalar[1].shape = {};
  write_raw_checkpoint(dir, tiny_config(), scalar);
  expect_source_error(dir, "tensor 'model.norm.weight' has rank 0");
  json gpt2 = tiny_config();
  gpt2["model_type"] = "gpt2";
  write_raw_checkpoint(dir, gpt2, tiny_tensors());
  expect_source_error(dir, "config.json: model_type: 'gpt2'");
  std::filesystem::remove(dir + "/config.json");
  expect_source_error(dir, "config.json: cannot open");
  write_bytes(dir + "/config.json", "{\"model_type\": ");
  expect_source_error(dir, "config.json: invalid JSON");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace oh::lm
