#include "lm/format/hf_llama_source.h"

#include <cstring>
#include <filesystem>
#include <limits>

#include "core/error.h"

namespace oh::lm {
namespace {

struct NameRule {
  const char* hf;
  const char* gguf;
};

constexpr NameRule kModelTensors[] = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
};

// Per layer, after "model.layers.N." and "blk.N.".
constexpr NameRule kLayerTensors[] = {
    {"input_layernorm.weight", "attn_norm.weight"},       {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},         {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},          {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};

constexpr const char* kLayerPrefix = "model.layers.";
// Older checkpoints store the rotary inverse frequencies, which are recomputed from rope_theta.
constexpr const char* kRotaryBuffer = "self_attn.rotary_emb.inv_freq";

/// Splits "model.layers.N.rest" into N and rest; false when `name` is not of that form.
bool split_layer_name(const std::string& name, uint64_t& layer, std::string& rest) {
  const size_t prefix = std::strlen(kLayerPrefix);
  if (name.compare(0, prefix, kLayerPrefix) != 0) return false;
  const size_t dot = name.find('.', prefix);
  if (dot == std::string::npos || dot == prefix || dot - prefix > 9) return false;
  layer = 0;
  for (size_t i = prefix; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    layer = layer * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  rest = name.substr(dot + 1);
  return true;
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

GgufValue u32(int64_t value, const std::string& what, const std::string& source) {
  if (value > std::numeric_limits<uint32_t>::max()) throw InputError(source + ": " + what + " " + std::to_string(value) + " is too large");
  return GgufValue{static_cast<uint32_t>(value)};
}

}  // namespace

std::string HfLlamaSource::gguf_name(const std::string& hf_name) {
  for (const NameRule& rule : kModelTensors)
    if (hf_name == rule.hf) return rule.gguf;
  uint64_t layer;
  std::string rest;
  if (!split_layer_name(hf_name, layer, rest)) return "";
  for (const NameRule& rule : kLayerTensors)
    if (rest == rule.hf) return "blk." + std::to_string(layer) + "." + rule.gguf;
  return "";
}

std::vector<std::string> HfLlamaSource::weight_names(const HfLlamaConfig& config) {
  std::vector<std::string> names = {kModelTensors[0].hf, kModelTensors[1].hf};
  if (!config.tie_word_embeddings) names.push_back(kModelTensors[2].hf);
  for (int64_t l = 0; l < config.num_hidden_layers; ++l)
    for (const NameRule& rule : kLayerTensors) names.push_back(kLayerPrefix + std::to_string(l) + "." + rule.hf);
  return names;
}

HfLlamaSource::HfLlamaSource(SafetensorsCheckpoint checkpoint)
    : checkpoint_(std::move(checkpoint)),
      config_(read_hf_llama_config((std::filesystem::path(checkpoint_.directory()) / "config.json").string())) {
  const HfLlamaConfig& c = config_;
  for (const std::string& name : checkpoint_.tensor_names()) {
    uint64_t layer;
    std::string rest;
    const bool in_layer = split_layer_name(name, layer, rest);
    if (in_layer && rest == kRotaryBuffer) continue;
    const std::string gguf = gguf_name(name);
    if (gguf.empty() || (in_layer && layer >= static_cast<uint64_t>(c.num_hidden_layers)))
      throw InputError(checkpoint_.file_of(name).path() + ": tensor '" + name + "' is not a weight of a " +
                       std::to_string(c.num_hidden_layers) + "-layer Llama");
    if (gguf == "output.weight" && c.tie_word_embeddings) continue;  // tied: HF uses the embedding
    add_tensor(name, gguf);
  }
  for (const std::string& name : weight_names(c))
    if (!checkpoint_.find_tensor(name))
      throw InputError(path() + ": missing tensor '" + name + "'" +
                       (name == kModelTensors[2].hf ? " (config.json says tie_word_embeddings is false)" : ""));
  const std::vector<uint64_t> embedding = tensors_.at("token_embd.weight").shape();
  if (embedding.empty() || embedding.front() != static_cast<uint64_t>(c.vocab_size))
    throw InputError(path() + ": model.embed_tokens.weight has " + (embedding.empty() ? "no" : std::to_string(embedding.front())) +
                     " rows, config.json's vocab_size is " + std::to_string(c.vocab_size));
  if (c.rope_scaling.type == "llama3") add_owned_tensor("rope_freqs.weight", llama3_rope_factors(c));
  add_metadata();
}

void HfLlamaSource::add_metadata() {
  const HfLlamaConfig& c = config_;
  const std::string source = path();
  metadata_["general.architecture"] = GgufValue{std::string("llama")};
  metadata_["llama.context_length"] = u32(c.max_position_embeddings, "max_position_embeddings", source);
  metadata_["llama.embedding_length"] = u32(c.hidden_size, "hidden_size", source);
  metadata_["llama.block_count"] = u32(c.num_hidden_layers, "num_hidden_layers", source);
  metadata_["llama.feed_forward_length"] = u32(c.intermediate_size, "intermediate_size", source);
  metadata_["llama.attention.head_count"] = u32(c.num_attention_heads, "num_attention_heads", source);
  metadata_["llama.attention.head_count_kv"] = u32(c.num_key_value_heads, "num_key_value_heads", source);
  metadata_["llama.rope.dimension_count"] = u32(c.head_dim(), "head dimension", source);
  metadata_["llama.vocab_size"] = u32(c.vocab_size, "vocab_size", source);
  // float32, as llama.cpp's converter writes them, so a model and its GGUF conversion compute alike.
  metadata_["llama.attention.layer_norm_rms_epsilon"] = GgufValue{static_cast<float>(c.rms_norm_eps)};
  metadata_["llama.rope.freq_base"] = GgufValue{static_cast<float>(c.rope_theta)};
  if (c.rope_scaling.type == "linear") {
    metadata_["llama.rope.scaling.type"] = GgufValue{std::string("linear")};
    metadata_["llama.rope.scaling.factor"] = GgufValue{static_cast<float>(c.rope_scaling.factor)};
  }
}

void HfLlamaSource::add_tensor(const std::string& hf_name, const std::string& gguf_name) {
  const SafetensorsTensor& t = checkpoint_.tensor(hf_name);
  const std::string& file = checkpoint_.file_of(hf_name).path();
  if (t.shape.empty() || t.shape.size() > kGgufMaxDims)
    throw InputError(file + ": tensor '" + hf_name + "' has rank " + std::to_string(t.shape.size()) + " (1.." +
                     std::to_string(kGgufMaxDims) + " for a weight)");
  GgufTensorInfo info;
  info.name = gguf_name;
  info.type = ggml_type_of(t, file);
  info.dims.assign(t.shape.rbegin(), t.shape.rend());
  info.offset = t.begin;
  info.bytes = t.byte_count();
  info.data = t.data;
  if (info.type == GgmlType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) != 0) {
    // Callers use F32 in place as float*: keep an aligned copy (our writer and HF's never misalign).
    owned_.emplace_back(static_cast<size_t>(t.element_count()));
    std::memcpy(owned_.back().data(), t.data, info.bytes);
    info.data = reinterpret_cast<const uint8_t*>(owned_.back().data());
  }
  tensors_.emplace(gguf_name, std::move(info));
}

void HfLlamaSource::add_owned_tensor(const std::string& gguf_name, std::vector<float> values) {
  GgufTensorInfo info;
  info.name = gguf_name;
  info.type = GgmlType::F32;
  info.dims = {values.size()};
  info.bytes = values.size() * sizeof(float);
  owned_.push_back(std::move(values));
  info.data = reinterpret_cast<const uint8_t*>(owned_.back().data());
  tensors_.emplace(gguf_name, std::move(info));
}

const GgufValue* HfLlamaSource::find(const std::string& key) const {
  const auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

const GgufTensorInfo* HfLlamaSource::find_tensor(const std::string& name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace oh::lm
