#pragma once
// safetensors reader over a memory map: an 8-byte little-endian header length, a JSON header
// ({name: {dtype, shape, data_offsets}}, optional "__metadata__" of strings), then the data buffer.
// The file is untrusted: the header length, the JSON, every dtype, shape and offset are checked, the
// tensors must tile the buffer exactly (no overlap, no holes, as the format requires), and a malformed
// file throws InputError naming the file and the tensor or field.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lm/format/mapped_file.h"
#include "lm/format/safetensors_dtype.h"

namespace oh::lm {

/// The largest JSON header accepted (the reference implementation's limit).
constexpr uint64_t kSafetensorsMaxHeaderBytes = 100ull << 20;

struct SafetensorsTensor {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<uint64_t> shape;  // outermost first; [] is a scalar
  uint64_t begin = 0, end = 0;  // byte range within the data buffer
  const uint8_t* data = nullptr;  // begin's address in the map (aligned only as the file happens to be)

  uint64_t element_count() const;
  uint64_t byte_count() const { return end - begin; }
};

class SafetensorsFile {
 public:
  /// Maps and parses `path`.
  static SafetensorsFile open(const std::string& path);

  const std::string& path() const { return file_.path(); }
  /// Where the data buffer starts in the file (8 + header length).
  uint64_t data_offset() const { return data_offset_; }
  /// The header's "__metadata__" (string to string), empty when absent.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// Tensors in the order of their data in the buffer.
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  const SafetensorsTensor* find_tensor(const std::string& name) const;
  /// Throws InputError naming the file and tensor when absent.
  const SafetensorsTensor& tensor(const std::string& name) const;

  /// The tensor's values as float (F32, F16, BF16); InputError naming the file and tensor otherwise.
  std::vector<float> to_float(const SafetensorsTensor& tensor) const;

 private:
  explicit SafetensorsFile(MappedFile file) : file_(std::move(file)) {}
  void parse();

  MappedFile file_;
  uint64_t data_offset_ = 0;
  std::map<std::string, std::string> metadata_;
  std::vector<SafetensorsTensor> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

}  // namespace oh::lm
