#pragma once
// A model as the architecture builders read it, whatever file format holds it: GGUF's metadata keys
// (general.architecture, llama.*) and tensor names (token_embd, blk.N.attn_q, ...), torch-free.
// GGUF files are read as they are; a Hugging Face safetensors checkpoint is presented under GGUF's
// names and keys (hf_llama_source.h), so one builder loads both.
#include <memory>
#include <string>
#include <vector>

#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_value.h"

namespace oh::lm {

class ModelSource {
 public:
  virtual ~ModelSource() = default;

  /// The file or directory the model came from (errors name it).
  virtual const std::string& path() const = 0;
  /// The value of a GGUF metadata key, or nullptr.
  virtual const GgufValue* find(const std::string& key) const = 0;
  /// The value of `key`; throws InputError naming the model and key when absent.
  const GgufValue& at(const std::string& key) const;

  /// A tensor by GGUF name, or nullptr. Its `data` stays valid while the source lives; F32 data is
  /// 4-byte aligned (a copy when the file stores it misaligned), so it can be used in place as float.
  virtual const GgufTensorInfo* find_tensor(const std::string& name) const = 0;
  /// Throws InputError naming the model and tensor when absent.
  const GgufTensorInfo& tensor(const std::string& name) const;

  /// Whether attn_q/attn_k rows are already in HF's half-split rotary layout (safetensors), so a
  /// builder must not permute them; GGUF stores Meta's adjacent-pair layout (DESIGN §5).
  virtual bool rotary_rows_half_split() const = 0;

  /// Converts `tensor` (any type of convertible_type_names()) to element_count() floats at `dst`; InputError naming the
  /// model and tensor for any other type.
  void to_float(const GgufTensorInfo& tensor, float* dst) const;
  std::vector<float> to_float(const GgufTensorInfo& tensor) const;
};

/// Whether `to_float` converts `type`.
bool is_model_source_convertible(GgmlType type);

/// Opens a model: a directory, a *.safetensors file or a *.safetensors.index.json as a Hugging Face
/// checkpoint (config.json beside it), anything else as GGUF. InputError when it cannot be read.
std::shared_ptr<const ModelSource> open_model_source(const std::string& path);

}  // namespace oh::lm
