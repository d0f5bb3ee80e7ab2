#include "hf_llama_export.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "lm/format/hf_llama_config.h"
#include "lm/format/hf_llama_source.h"
#include "lm/format/safetensors_checkpoint.h"
#include "lm/format/safetensors_writer.h"

namespace oh::lm::testing {

std::vector<float> adjacent_pair_to_half_split_rows(const std::vector<float>& weight, int64_t heads, int64_t head_dim,
                                                    int64_t columns) {
  std::vector<float> out(weight.size());
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < half; ++i)
      for (int64_t c = 0; c < 2; ++c) {
        const float* from = weight.data() + (h * head_dim + 2 * i + c) * columns;
        std::copy(from, from + columns, out.data() + (h * head_dim + c * half + i) * columns);
      }
  return out;
}

void export_llama_as_hf(const GgufFile& gguf, const std::string& directory, SafetensorsDtype dtype, uint64_t max_shard_bytes) {
  HfLlamaConfig c;
  c.hidden_size = gguf.at("llama.embedding_length").as_int("embedding_length");
  c.num_hidden_layers = gguf.at("llama.block_count").as_int("block_count");
  c.num_attention_heads = gguf.at("llama.attention.head_count").as_int("head_count");
  c.num_key_value_heads = gguf.at("llama.attention.head_count_kv").as_int("head_count_kv");
  c.intermediate_size = gguf.at("llama.feed_forward_length").as_int("feed_forward_length");
  c.max_position_embeddings = gguf.at("llama.context_length").as_int("context_length");
  c.rms_norm_eps = gguf.at("llama.attention.layer_norm_rms_epsilon").as_double("rms_epsilon");
  c.rope_theta = gguf.at("llama.rope.freq_base").as_double("freq_base");
  c.vocab_size = static_cast<int64_t>(gguf.tensor("token_embd.weight").shape().front());
  c.tie_word_embeddings = gguf.find_tensor("output.weight") == nullptr;

  SafetensorsWriter writer;
  writer.set_metadata("format", "pt");  // what transformers writes
  for (const std::string& hf_name : HfLlamaSource::weight_names(c)) {
    const std::string gguf_name = HfLlamaSource::gguf_name(hf_name);
    const GgufTensorInfo& t = gguf.tensor(gguf_name);
    std::vector<float> values = gguf.dequantized(t);
    const std::vector<uint64_t> shape = t.shape();
    if (gguf_name.find(".attn_q.") != std::string::npos || gguf_name.find(".attn_k.") != std::string::npos)
      values = adjacent_pair_to_half_split_rows(values, static_cast<int64_t>(shape[0]) / c.head_dim(), c.head_dim(),
                                                static_cast<int64_t>(shape[1]));
    writer.add_tensor(hf_name, shape, values, dtype);
  }
  std::filesystem::create_directories(directory);
  write_file_atomically((std::filesystem::path(directory) / "config.json").string(), c.to_json().dump(2) + "\n");
  if (max_shard_bytes == 0)
    writer.write((std::filesystem::path(directory) / kSafetensorsSingleFile).string());
  else
    writer.write_sharded(directory, max_shard_bytes);
}

}  // namespace oh::lm::testing
