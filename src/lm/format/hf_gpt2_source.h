#pragma once
// A Hugging Face GPT-2 checkpoint (safetensors + config.json) as a ModelSource: config.json becomes
// GGUF's gpt2.* keys and the HF tensor names GGUF's (h.N.attn.c_attn.weight -> blk.N.attn_qkv.weight,
// ...), with or without the "transformer." prefix GPT2LMHeadModel saves. GPT-2's Conv1D weights are
// stored [in, out]; GGUF (and llama.cpp's converter) store them [out, in], so those four per layer are
// transposed here, once, in their stored dtype. Everything else is used in place from the memory maps.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lm/format/model_source.h"
#include "lm/format/safetensors_checkpoint.h"

namespace oh::lm {

/// The config.json hyperparameters GPT-2 needs, with GPT2Config's defaults where a key may be absent.
struct HfGpt2Config {
  int64_t n_embd = 0, n_layer = 0, n_head = 0, n_positions = 0, vocab_size = 0;
  int64_t n_inner = 0;  // null or absent in the file: 4 · n_embd
  double layer_norm_epsilon = 1e-5;
  bool tie_word_embeddings = true;
};

/// Parses `path` (config.json). InputError naming the file and key for a missing or malformed key, a
/// model_type other than "gpt2", n_embd not a multiple of n_head, an activation other than the tanh GELU
/// (gelu_new, gelu_pytorch_tanh), or attention scaling GPT-2's default does not use.
HfGpt2Config read_hf_gpt2_config(const std::string& path);

/// Whether the config.json at `path` says model_type "gpt2" (false when it is missing or unreadable, so
/// the caller's default reader reports the problem).
bool is_hf_gpt2_config(const std::string& path);

class HfGpt2Source final : public ModelSource {
 public:
  /// Reads config.json from the checkpoint's directory. InputError naming the file and tensor or key for
  /// a malformed config, a tensor that is not a GPT-2 weight, a missing weight, a dtype other than
  /// F32/F16/BF16, a Conv1D weight that is not a matrix, or an embedding whose row count differs from
  /// vocab_size.
  explicit HfGpt2Source(SafetensorsCheckpoint checkpoint);

  const std::string& path() const override { return checkpoint_.path(); }
  const GgufValue* find(const std::string& key) const override;
  const GgufTensorInfo* find_tensor(const std::string& name) const override;
  bool rotary_rows_half_split() const override { return false; }  // GPT-2 has no rotary

  const HfGpt2Config& config() const { return config_; }

  /// The GGUF name of an HF GPT-2 tensor name (prefix "transformer." optional), or "" when it is none.
  static std::string gguf_name(const std::string& hf_name);
  /// Whether `hf_name` is a Conv1D weight (stored [in, out], presented transposed).
  static bool is_conv1d_weight(const std::string& hf_name);
  /// The HF names of every weight a model of `config` needs (lm_head only when untied), with the
  /// "transformer." prefix GPT2LMHeadModel saves when `transformer_prefix`.
  static std::vector<std::string> weight_names(const HfGpt2Config& config, bool transformer_prefix);

 private:
  void add_metadata();
  void add_tensor(const std::string& hf_name, const std::string& gguf_name);

  SafetensorsCheckpoint checkpoint_;
  HfGpt2Config config_;
  std::map<std::string, GgufValue> metadata_;
  std::map<std::string, GgufTensorInfo> tensors_;
  std::vector<std::vector<uint8_t>> owned_;  // transposed Conv1D weights, and F32 tensors stored misaligned
};

}  // namespace oh::lm
