#pragma once
// A GGUF file as a ModelSource: its own keys and tensor names, Q/K in the adjacent-pair layout.
#include <map>
#include <string>
#include <vector>

#include "lm/format/gguf_reader.h"
#include "lm/format/model_source.h"

namespace oh::lm {

class GgufModelSource final : public ModelSource {
 public:
  explicit GgufModelSource(GgufFile file);

  const std::string& path() const override { return file_.path(); }
  const GgufValue* find(const std::string& key) const override { return file_.find(key); }
  const GgufTensorInfo* find_tensor(const std::string& name) const override;
  bool rotary_rows_half_split() const override { return false; }

  /// The file itself (its tokenizer.ggml.* vocabulary, for example).
  const GgufFile& file() const { return file_; }

 private:
  GgufFile file_;
  // F32 tensors that a general.alignment below 4 left misaligned, with aligned copies of their data.
  std::map<std::string, GgufTensorInfo> realigned_;
  std::vector<std::vector<float>> copies_;
};

}  // namespace oh::lm
