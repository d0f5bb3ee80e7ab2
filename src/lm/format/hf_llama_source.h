#pragma once
// A Hugging Face Llama checkpoint (safetensors + config.json) as a ModelSource: config.json becomes
// GGUF's llama.* keys and the HF tensor names GGUF's (model.layers.N.self_attn.q_proj.weight ->
// blk.N.attn_q.weight, ...), with the data used in place from the memory maps. Q/K rows stay in HF's
// half-split rotary layout (rotary_rows_half_split() is true). llama3 rope scaling (Llama-3.1) becomes
// a rope_freqs.weight tensor, as llama.cpp's converter writes it.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lm/format/hf_llama_config.h"
#include "lm/format/model_source.h"
#include "lm/format/safetensors_checkpoint.h"

namespace oh::lm {

class HfLlamaSource final : public ModelSource {
 public:
  /// Reads config.json from the checkpoint's directory. InputError naming the file and tensor or key
  /// for a malformed config, a tensor that is not a Llama weight, a missing weight, a dtype other than
  /// F32/F16/BF16, or an embedding whose row count differs from vocab_size.
  explicit HfLlamaSource(SafetensorsCheckpoint checkpoint);

  const std::string& path() const override { return checkpoint_.path(); }
  const GgufValue* find(const std::string& key) const override;
  const GgufTensorInfo* find_tensor(const std::string& name) const override;
  bool rotary_rows_half_split() const override { return true; }

  const HfLlamaConfig& config() const { return config_; }
  const SafetensorsCheckpoint& checkpoint() const { return checkpoint_; }

  /// The GGUF name of an HF Llama tensor name, or "" when it is not one (layer index unchecked).
  static std::string gguf_name(const std::string& hf_name);
  /// The HF names of every weight a model of `config` needs (lm_head only when untied).
  static std::vector<std::string> weight_names(const HfLlamaConfig& config);

 private:
  void add_metadata();
  void add_tensor(const std::string& hf_name, const std::string& gguf_name);
  void add_owned_tensor(const std::string& gguf_name, std::vector<float> values);

  SafetensorsCheckpoint checkpoint_;
  HfLlamaConfig config_;
  std::map<std::string, GgufValue> metadata_;
  std::map<std::string, GgufTensorInfo> tensors_;
  std::vector<std::vector<float>> owned_;  // rope_freqs, and F32 tensors the file stores misaligned
};

}  // namespace oh::lm
