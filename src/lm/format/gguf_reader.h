#pragma once
// GGUF v2/v3 reader over a memory map. The file is untrusted: every count, length, type, shape and
// offset is checked against the file before use, and a malformed file throws InputError naming the
// file, the byte offset and the field.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lm/format/ggml_types.h"
#include "lm/format/gguf_value.h"
#include "lm/format/mapped_file.h"

namespace oh::lm {

constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr uint32_t kGgufMaxDims = 4;

struct GgufTensorInfo {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<uint64_t> dims;  // innermost first, as ggml's ne
  uint64_t offset = 0;         // relative to the data section
  uint64_t bytes = 0;
  const uint8_t* data = nullptr;

  uint64_t element_count() const;
  /// The shape outermost first ([rows, columns] for a matrix), as PyTorch and HF write it.
  std::vector<uint64_t> shape() const { return {dims.rbegin(), dims.rend()}; }
};

class GgufFile {
 public:
  /// Maps and parses `path`.
  static GgufFile open(const std::string& path);

  const std::string& path() const { return file_.path(); }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }

  /// Metadata in file order.
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }
  /// The value of `key`, or nullptr.
  const GgufValue* find(const std::string& key) const;
  /// The value of `key`; throws InputError naming the file and key when absent.
  const GgufValue& at(const std::string& key) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(const std::string& name) const;
  const GgufTensorInfo& tensor(const std::string& name) const;

  /// The tensor's values as float (F32, F16, Q8_0); InputError for other types.
  std::vector<float> dequantized(const GgufTensorInfo& tensor) const;

 private:
  explicit GgufFile(MappedFile file) : file_(std::move(file)) {}
  void parse();

  MappedFile file_;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::map<std::string, size_t> metadata_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

}  // namespace oh::lm
