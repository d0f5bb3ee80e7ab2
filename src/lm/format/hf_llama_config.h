#pragma once
// A Hugging Face Llama config.json: the hyperparameters the engine needs, checked, with HF's
// LlamaConfig defaults where a key may be absent, and the rope scaling it describes.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace oh::lm {

struct HfRopeScaling {
  std::string type;  // "" (none), "linear" or "llama3"
  double factor = 1.0;
  // llama3 only (Llama-3.1): frequency bands by wavelength relative to the original context.
  double low_freq_factor = 1.0, high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct HfLlamaConfig {
  // Required: transformers always writes them.
  int64_t hidden_size = 0, num_hidden_layers = 0, num_attention_heads = 0, intermediate_size = 0, vocab_size = 0;
  // LlamaConfig's defaults when absent.
  int64_t num_key_value_heads = 0;  // 0 in the file's absence means num_attention_heads
  int64_t max_position_embeddings = 2048;
  double rms_norm_eps = 1e-6, rope_theta = 10000.0;
  bool tie_word_embeddings = false;
  HfRopeScaling rope_scaling;

  int64_t head_dim() const { return hidden_size / num_attention_heads; }
  /// As JSON with model_type "llama" and architectures ["LlamaForCausalLM"] (for writers).
  nlohmann::json to_json() const;
};

/// Reads config.json. InputError naming the file and key for a missing or malformed key, a model_type
/// other than "llama", inconsistent head counts, a head_dim other than hidden_size / heads, biases, an
/// activation other than silu, or a rope scaling type other than linear and llama3.
HfLlamaConfig read_hf_llama_config(const std::string& path);
/// The same checks on parsed JSON; errors are prefixed by `source`.
HfLlamaConfig parse_hf_llama_config(const nlohmann::json& config, const std::string& source);

/// The per-frequency divisors of llama3 rope scaling (what GGUF stores as rope_freqs), one per rotary
/// pair i with inverse frequency theta^(-2i/head_dim): 1 for short wavelengths, `factor` for long
/// ones, and a smooth blend between. Requires rope_scaling.type == "llama3".
std::vector<float> llama3_rope_factors(const HfLlamaConfig& config);

}  // namespace oh::lm
