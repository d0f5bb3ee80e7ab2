#include "tiny_gpt2.h"

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/numpy_random.h"
#include "lm/format/gguf_writer.h"
#include "lm/format/hf_gpt2_source.h"
#include "lm/format/safetensors_checkpoint.h"
#include "lm/format/safetensors_writer.h"
#include "lm/tokenizer/byte_unicode.h"

namespace oh::lm::testing {
namespace {

std::vector<float> transposed(const std::vector<float>& values, uint64_t rows, uint64_t columns) {
  std::vector<float> out(values.size());
  for (uint64_t i = 0; i < rows; ++i)
    for (uint64_t j = 0; j < columns; ++j) out[j * rows + i] = values[i * columns + j];
  return out;
}

}  // namespace

Vocabulary tiny_gpt2_vocabulary() {
  Vocabulary v;
  v.model = "gpt2";
  v.pre = "gpt-2";
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(byte_to_unicode(static_cast<uint8_t>(b)));
    v.types.push_back(TokenType::Normal);
  }
  for (char a = 'a'; a <= 'z'; ++a)
    for (char b = 'a'; b <= 'z'; ++b) {
      v.merges.push_back(std::string{a, ' ', b});
      v.tokens.push_back(std::string{a, b});
      v.types.push_back(TokenType::Normal);
    }
  v.tokens.push_back("<|endoftext|>");
  v.types.push_back(TokenType::Control);
  v.bos_id = v.eos_id = static_cast<int32_t>(v.tokens.size() - 1);
  v.add_bos = false;
  return v;
}

void write_tiny_gpt2(const std::string& path, const Vocabulary& vocabulary, const TinyGpt2Shape& s, uint32_t seed,
                     GgmlType weight_type) {
  GgufWriter w;
  w.set_string("general.architecture", "gpt2");
  w.set_string("general.name", "optim-hunter tiny random gpt2");
  w.set_u32("gpt2.context_length", s.context);
  w.set_u32("gpt2.embedding_length", s.n_embd);
  w.set_u32("gpt2.block_count", s.n_layer);
  w.set_u32("gpt2.feed_forward_length", s.n_ff);
  w.set_u32("gpt2.attention.head_count", s.n_head);
  w.set_f32("gpt2.attention.layer_norm_epsilon", s.ln_eps);
  write_vocabulary(vocabulary, w);

  RandomState rng(seed);
  auto draw = [&](std::vector<uint64_t> shape, double mean, double std) {
    uint64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> values(n);
    for (auto& v : values) v = static_cast<float>(mean + std * rng.standard_normal());
    return values;
  };
  auto random = [&](const std::string& name, std::vector<uint64_t> shape) {
    w.add_tensor(name, shape, draw(shape, 0, s.weight_std), weight_type);
  };
  auto linear = [&](const std::string& name, uint64_t out, uint64_t in) {
    random(name + ".weight", {out, in});
    w.add_tensor(name + ".bias", {out}, draw({out}, 0, s.weight_std), GgmlType::F32);
  };
  auto norm = [&](const std::string& name, uint64_t n) {
    w.add_tensor(name + ".weight", {n}, draw({n}, 1, 0.1), GgmlType::F32);
    w.add_tensor(name + ".bias", {n}, draw({n}, 0, 0.1), GgmlType::F32);
  };
  const uint64_t vocab = vocabulary.tokens.size();
  random("token_embd.weight", {vocab, s.n_embd});
  random("position_embd.weight", {s.context, s.n_embd});
  for (uint32_t l = 0; l < s.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    norm(b + "attn_norm", s.n_embd);
    linear(b + "attn_qkv", 3 * s.n_embd, s.n_embd);
    linear(b + "attn_output", s.n_embd, s.n_embd);
    norm(b + "ffn_norm", s.n_embd);
    linear(b + "ffn_up", s.n_ff, s.n_embd);
    linear(b + "ffn_down", s.n_embd, s.n_ff);
  }
  norm("output_norm", s.n_embd);
  if (!s.tied_output) random("output.weight", {vocab, s.n_embd});
  if (s.output_bias) w.add_tensor("output.bias", {vocab}, draw({vocab}, 0, 1.0), GgmlType::F32);
  w.write(path);
}

void export_gpt2_as_hf(const GgufFile& gguf, const std::string& directory, SafetensorsDtype dtype, uint64_t max_shard_bytes,
                       bool transformer_prefix) {
  if (gguf.find_tensor("output.bias")) throw InputError(gguf.path() + ": output.bias has no place in an HF GPT-2 checkpoint");
  HfGpt2Config c;
  c.n_embd = gguf.at("gpt2.embedding_length").as_int("embedding_length");
  c.n_layer = gguf.at("gpt2.block_count").as_int("block_count");
  c.n_head = gguf.at("gpt2.attention.head_count").as_int("head_count");
  c.n_inner = gguf.at("gpt2.feed_forward_length").as_int("feed_forward_length");
  c.n_positions = gguf.at("gpt2.context_length").as_int("context_length");
  c.layer_norm_epsilon = gguf.at("gpt2.attention.layer_norm_epsilon").as_double("layer_norm_epsilon");
  c.vocab_size = static_cast<int64_t>(gguf.tensor("token_embd.weight").shape().front());
  c.tie_word_embeddings = gguf.find_tensor("output.weight") == nullptr;
  const nlohmann::json config = {
      {"model_type", "gpt2"},          {"architectures", {"GPT2LMHeadModel"}},
      {"n_embd", c.n_embd},            {"n_layer", c.n_layer},
      {"n_head", c.n_head},            {"n_inner", c.n_inner},
      {"n_positions", c.n_positions},  {"n_ctx", c.n_positions},
      {"layer_norm_epsilon", c.layer_norm_epsilon},
      {"vocab_size", c.vocab_size},    {"activation_function", "gelu_new"},
      {"tie_word_embeddings", c.tie_word_embeddings},
  };

  SafetensorsWriter writer;
  writer.set_metadata("format", "pt");  // what transformers writes
  for (const std::string& hf_name : HfGpt2Source::weight_names(c, transformer_prefix)) {
    const GgufTensorInfo& t = gguf.tensor(HfGpt2Source::gguf_name(hf_name));
    std::vector<uint64_t> shape = t.shape();
    std::vector<float> values = gguf.dequantized(t);
    if (HfGpt2Source::is_conv1d_weight(hf_name)) {  // GGUF [out, in] -> HF [in, out]
      values = transposed(values, shape[0], shape[1]);
      std::swap(shape[0], shape[1]);
    }
    writer.add_tensor(hf_name, shape, values, dtype);
  }

  std::filesystem::create_directories(directory);
  write_file_atomically((std::filesystem::path(directory) / "config.json").string(), config.dump(2) + "\n");
  if (max_shard_bytes == 0)
    writer.write((std::filesystem::path(directory) / kSafetensorsSingleFile).string());
  else
    writer.write_sharded(directory, max_shard_bytes);
}

}  // namespace oh::lm::testing
