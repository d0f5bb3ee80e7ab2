#include "lm/format/hf_gpt2_source.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::lm {
namespace {

using nlohmann::json;

struct NameRule {
  const char* hf;
  const char* gguf;
  bool conv1d;  // stored [in, out]: transposed to GGUF's [out, in]
};

constexpr NameRule kModelTensors[] = {
    {"wte.weight", "token_embd.weight", false},   {"wpe.weight", "position_embd.weight", false},
    {"ln_f.weight", "output_norm.weight", false}, {"ln_f.bias", "output_norm.bias", false},
};
constexpr NameRule kOutputTensor = {"lm_head.weight", "output.weight", false};  // top level, no prefix

// Per layer, after "h.N." and "blk.N.".
constexpr NameRule kLayerTensors[] = {
    {"ln_1.weight", "attn_norm.weight", false},       {"ln_1.bias", "attn_norm.bias", false},
    {"attn.c_attn.weight", "attn_qkv.weight", true},  {"attn.c_attn.bias", "attn_qkv.bias", false},
    {"attn.c_proj.weight", "attn_output.weight", true}, {"attn.c_proj.bias", "attn_output.bias", false},
    {"ln_2.weight", "ffn_norm.weight", false},        {"ln_2.bias", "ffn_norm.bias", false},
    {"mlp.c_fc.weight", "ffn_up.weight", true},       {"mlp.c_fc.bias", "ffn_up.bias", false},
    {"mlp.c_proj.weight", "ffn_down.weight", true},   {"mlp.c_proj.bias", "ffn_down.bias", false},
};

// The causal-mask buffers older transformers versions saved with the weights.
constexpr const char* kMaskBuffers[] = {"attn.bias", "attn.masked_bias"};

constexpr const char* kModelPrefix = "transformer.";

std::string without_model_prefix(const std::string& name) {
  const size_t n = std::strlen(kModelPrefix);
  return name.compare(0, n, kModelPrefix) == 0 ? name.substr(n) : name;
}

/// Splits "h.N.rest" into N and rest; false when `name` is not of that form.
bool split_layer_name(const std::string& name, uint64_t& layer, std::string& rest) {
  if (name.compare(0, 2, "h.") != 0) return false;
  const size_t dot = name.find('.', 2);
  if (dot == std::string::npos || dot == 2 || dot - 2 > 9) return false;
  layer = 0;
  for (size_t i = 2; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    layer = layer * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  rest = name.substr(dot + 1);
  return true;
}

/// An HF name's rule, and its layer for per-layer weights.
struct NameMatch {
  const NameRule* rule = nullptr;
  std::optional<uint64_t> layer;
};

std::optional<NameMatch> match_name(const std::string& hf_name) {
  if (hf_name == kOutputTensor.hf) return NameMatch{&kOutputTensor, std::nullopt};
  const std::string name = without_model_prefix(hf_name);
  for (const NameRule& rule : kModelTensors)
    if (name == rule.hf) return NameMatch{&rule, std::nullopt};
  uint64_t layer;
  std::string rest;
  if (!split_layer_name(name, layer, rest)) return std::nullopt;
  for (const NameRule& rule : kLayerTensors)
    if (rest == rule.hf) return NameMatch{&rule, layer};
  return std::nullopt;
}

bool is_mask_buffer(const std::string& hf_name) {
  uint64_t layer;
  std::string rest;
  if (!split_layer_name(without_model_prefix(hf_name), layer, rest)) return false;
  for (const char* buffer : kMaskBuffers)
    if (rest == buffer) return true;
  return false;
}

GgmlType ggml_type_of(const SafetensorsTensor& t, const std::string& file) {
  switch (t.dtype) {
    case SafetensorsDtype::F32: return GgmlType::F32;
    case SafetensorsDtype::F16: return GgmlType::F16;
    case SafetensorsDtype::BF16: return GgmlType::BF16;
    default:
      throw InputError(file + ": tensor '" + t.name + "': dtype " + safetensors_dtype_traits(t.dtype).name +
                       " is not supported for weights (F32, F16, BF16)");
  }
}

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::exception& e) {
    throw InputError(path + ": invalid JSON: " + e.what());
  }
}

/// GPT2Config's keys as read from one config.json, with the file named in every error.
class Gpt2ConfigReader {
 public:
  Gpt2ConfigReader(const json& config, const std::string& path) : config_(config), path_(path) {
    if (!config_.is_object()) throw InputError(path_ + ": expected a JSON object");
  }

  bool has(const char* key) const { return config_.contains(key) && !config_[key].is_null(); }
  int64_t positive_int(const char* key, std::optional<int64_t> fallback = std::nullopt) const {
    if (!has(key)) {
      if (fallback) return *fallback;
      fail(key, "missing");
    }
    const json& v = config_[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > std::numeric_limits<uint32_t>::max())
      fail(key, "expected a positive 32-bit integer, found " + v.dump());
    return v.get<int64_t>();
  }
  double positive_real(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = config_[key];
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
      fail(key, "expected a positive number, found " + v.dump());
    return v.get<double>();
  }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!config_[key].is_boolean()) fail(key, "expected true or false, found " + config_[key].dump());
    return config_[key].get<bool>();
  }
  std::string string(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!config_[key].is_string()) fail(key, "expected a string, found " + config_[key].dump());
    return config_[key].get<std::string>();
  }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw InputError(path_ + ": " + key + ": " + problem);
  }

 private:
  const json& config_;
  const std::string& path_;
};

GgufValue u32(int64_t value) { return GgufValue{static_cast<uint32_t>(value)}; }

}  // namespace

HfGpt2Config read_hf_gpt2_config(const std::string& path) {
  const json config = read_json(path);
  const Gpt2ConfigReader r(config, path);
  if (r.string("model_type", "") != "gpt2") r.fail("model_type", "expected \"gpt2\"");
  HfGpt2Config c;
  c.n_embd = r.positive_int("n_embd");
  c.n_layer = r.positive_int("n_layer");
  c.n_head = r.positive_int("n_head");
  c.n_positions = r.positive_int("n_positions");
  c.vocab_size = r.positive_int("vocab_size");
  c.n_inner = r.positive_int("n_inner", 4 * c.n_embd);
  c.layer_norm_epsilon = r.positive_real("layer_norm_epsilon", c.layer_norm_epsilon);
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", c.tie_word_embeddings);
  if (c.n_embd % c.n_head != 0)
    r.fail("n_embd", std::to_string(c.n_embd) + " is not a multiple of n_head " + std::to_string(c.n_head));
  const std::string activation = r.string("activation_function", "gelu_new");
  if (activation != "gelu_new" && activation != "gelu_pytorch_tanh")
    r.fail("activation_function", "'" + activation + "' is not supported (gelu_new, gelu_pytorch_tanh)");
  if (!r.boolean("scale_attn_weights", true)) r.fail("scale_attn_weights", "false is not supported");
  if (r.boolean("scale_attn_by_inverse_layer_idx", false)) r.fail("scale_attn_by_inverse_layer_idx", "true is not supported");
  return c;
}

bool is_hf_gpt2_config(const std::string& path) {
  try {
    const json config = read_json(path);
    return config.is_object() && config.value("model_type", json()).is_string() && config["model_type"] == "gpt2";
  } catch (const InputError&) {
    return false;
  }
}

std::string HfGpt2Source::gguf_name(const std::string& hf_name) {
  const std::optional<NameMatch> match = match_name(hf_name);
  if (!match) return "";
  return match->layer ? "blk." + std::to_string(*match->layer) + "." + match->rule->gguf : match->rule->gguf;
}

bool HfGpt2Source::is_conv1d_weight(const std::string& hf_name) {
  const std::optional<NameMatch> match = match_name(hf_name);
  return match && match->rule->conv1d;
}

std::vector<std::string> HfGpt2Source::weight_names(const HfGpt2Config& config, bool transformer_prefix) {
  const std::string prefix = transformer_prefix ? kModelPrefix : "";
  std::vector<std::string> names;
  for (const NameRule& rule : kModelTensors) names.push_back(prefix + rule.hf);
  for (int64_t l = 0; l < config.n_layer; ++l)
    for (const NameRule& rule : kLayerTensors) names.push_back(prefix + "h." + std::to_string(l) + "." + rule.hf);
  if (!config.tie_word_embeddings) names.push_back(kOutputTensor.hf);
  return names;
}

HfGpt2Source::HfGpt2Source(SafetensorsCheckpoint checkpoint)
    : checkpoint_(std::move(checkpoint)),
      config_(read_hf_gpt2_config((std::filesystem::path(checkpoint_.directory()) / "config.json").string())) {
  const HfGpt2Config& c = config_;
  for (const std::string& name : checkpoint_.tensor_names()) {
    if (is_mask_buffer(name)) continue;
    const std::optional<NameMatch> match = match_name(name);
    if (!match || (match->layer && *match->layer >= static_cast<uint64_t>(c.n_layer)))
      throw InputError(checkpoint_.file_of(name).path() + ": tensor '" + name + "' is not a weight of a " +
                       std::to_string(c.n_layer) + "-layer GPT-2");
    const std::string gguf = gguf_name(name);
    if (tensors_.count(gguf))
      throw InputError(path() + ": tensor '" + name + "' is stored twice (with and without the 'transformer.' prefix)");
    if (gguf == kOutputTensor.gguf && c.tie_word_embeddings) continue;  // tied: the embedding is the unembedding
    add_tensor(name, gguf);
  }
  std::vector<std::string> required;
  for (const NameRule& rule : kModelTensors) required.push_back(rule.gguf);
  if (!c.tie_word_embeddings) required.push_back(kOutputTensor.gguf);
  for (int64_t l = 0; l < c.n_layer; ++l)
    for (const NameRule& rule : kLayerTensors) required.push_back("blk." + std::to_string(l) + "." + rule.gguf);
  for (const std::string& name : required)
    if (!tensors_.count(name))
      throw InputError(path() + ": missing the weight GGUF calls '" + name + "'" +
                       (name == kOutputTensor.gguf ? " (lm_head.weight: config.json says tie_word_embeddings is false)" : ""));
  const std::vector<uint64_t> embedding = tensors_.at("token_embd.weight").shape();
  if (embedding.empty() || embedding.front() != static_cast<uint64_t>(c.vocab_size))
    throw InputError(path() + ": wte.weight has " + (embedding.empty() ? "no" : std::to_string(embedding.front())) +
                     " rows, config.json's vocab_size is " + std::to_string(c.vocab_size));
  add_metadata();
}

void HfGpt2Source::add_metadata() {
  const HfGpt2Config& c = config_;
  metadata_["general.architecture"] = GgufValue{std::string("gpt2")};
  metadata_["gpt2.context_length"] = u32(c.n_positions);
  metadata_["gpt2.embedding_length"] = u32(c.n_embd);
  metadata_["gpt2.block_count"] = u32(c.n_layer);
  metadata_["gpt2.feed_forward_length"] = u32(c.n_inner);
  metadata_["gpt2.attention.head_count"] = u32(c.n_head);
  metadata_["gpt2.vocab_size"] = u32(c.vocab_size);
  // float32, as llama.cpp's converter writes it, so a model and its GGUF conversion compute alike.
  metadata_["gpt2.attention.layer_norm_epsilon"] = GgufValue{static_cast<float>(c.layer_norm_epsilon)};
}

void HfGpt2Source::add_tensor(const std::string& hf_name, const std::string& gguf_name) {
  const SafetensorsTensor& t = checkpoint_.tensor(hf_name);
  const std::string& file = checkpoint_.file_of(hf_name).path();
  const bool conv1d = is_conv1d_weight(hf_name);
  if (t.shape.empty() || t.shape.size() > kGgufMaxDims || (conv1d && t.shape.size() != 2))
    throw InputError(file + ": tensor '" + hf_name + "' has rank " + std::to_string(t.shape.size()) +
                     (conv1d ? " (a Conv1D weight is a matrix)" : " (1.." + std::to_string(kGgufMaxDims) + " for a weight)"));
  GgufTensorInfo info;
  info.name = gguf_name;
  info.type = ggml_type_of(t, file);
  info.dims.assign(t.shape.rbegin(), t.shape.rend());
  info.offset = t.begin;
  info.bytes = t.byte_count();
  info.data = t.data;
  if (conv1d) {
    // [in, out] -> [out, in], element by element in the stored dtype (no widening at load).
    const uint64_t rows = t.shape[0], columns = t.shape[1];
    const size_t element = safetensors_dtype_traits(t.dtype).bytes;
    std::vector<uint8_t> transposed(static_cast<size_t>(info.bytes));
    for (uint64_t i = 0; i < rows; ++i)
      for (uint64_t j = 0; j < columns; ++j)
        std::memcpy(&transposed[(j * rows + i) * element], t.data + (i * columns + j) * element, element);
    info.dims = {rows, columns};  // innermost first: GGUF shape [out, in]
    owned_.push_back(std::move(transposed));
    info.data = owned_.back().data();
  } else if (info.type == GgmlType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) != 0) {
    // Callers use F32 in place as float*: keep an aligned copy (our writer and HF's never misalign).
    owned_.emplace_back(t.data, t.data + info.bytes);
    info.data = owned_.back().data();
  }
  tensors_.emplace(gguf_name, std::move(info));
}

const GgufValue* HfGpt2Source::find(const std::string& key) const {
  const auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

const GgufTensorInfo* HfGpt2Source::find_tensor(const std::string& name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace oh::lm
