#pragma once
// A GGUF file as a ModelSource: its own keys and tensor names, Q/K in the adjacent-pair layout.
#include "lm/format/gguf_reader.h"
#include "lm/format/model_source.h"

namespace oh::lm {

class GgufModelSource final : public ModelSource {
 public:
  explicit GgufModelSource(GgufFile file) : file_(std::move(file)) {}

  const std::string& path() const override { return file_.path(); }
  const GgufValue* find(const std::string& key) const override { return file_.find(key); }
  const GgufTensorInfo* find_tensor(const std::string& name) const override { return file_.find_tensor(name); }
  bool rotary_rows_half_split() const override { return false; }

  /// The file itself (its tokenizer.ggml.* vocabulary, for example).
  const GgufFile& file() const { return file_; }

 private:
  GgufFile file_;
};

}  // namespace oh::lm
