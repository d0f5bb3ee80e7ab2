#pragma once
// GGUF v3 writer: metadata in insertion order, tensors converted from float to any type ggml_types.h
// converts (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K),
// data aligned to `general.alignment` (written only when it differs from the default 32).
#include <cstdint>
#include <string>
#include <vector>

#include "lm/format/ggml_types.h"
#include "lm/format/gguf_value.h"

namespace oh::lm {

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = 32);

  void set(const std::string& key, GgufValue value);
  void set_string(const std::string& key, const std::string& value);
  void set_u32(const std::string& key, uint32_t value);
  void set_i32(const std::string& key, int32_t value);
  void set_f32(const std::string& key, float value);
  void set_bool(const std::string& key, bool value);
  void set_strings(const std::string& key, const std::vector<std::string>& values);
  void set_i32s(const std::string& key, const std::vector<int32_t>& values);

  /// Adds a tensor; `shape` is outermost first ([rows, columns]), `values` row-major floats that are
  /// converted to `type` now. Throws InputError on a size mismatch or a row length the type's block does not divide.
  void add_tensor(const std::string& name, const std::vector<uint64_t>& shape, const std::vector<float>& values,
                  GgmlType type);

  /// Adds a tensor of zeros of any writable type without holding its bytes: write() leaves it as a hole
  /// in a sparse file (for memory measurements of large model shapes).
  void add_zero_tensor(const std::string& name, const std::vector<uint64_t>& shape, GgmlType type);

  /// The whole file as bytes (zero tensors included).
  std::string serialize() const;
  /// Writes the file atomically (zero tensors as holes); throws InputError naming the path on failure.
  void write(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> dims;  // innermost first
    GgmlType type;
    std::string bytes;
    uint64_t zero_bytes = 0;  // a zero tensor's size (bytes is empty)
    uint64_t size() const { return bytes.size() + zero_bytes; }
  };
  /// Magic, version, metadata and tensor infos, padded to the alignment: what precedes the data.
  std::string header() const;
  uint64_t padded_size(const Tensor& t) const;
  /// The stored size of a tensor of `shape` and `type`; InputError for a shape the type cannot store.
  static uint64_t checked_byte_size(const std::string& name, const std::vector<uint64_t>& shape, GgmlType type);

  uint32_t alignment_;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace oh::lm
