#pragma once
// safetensors writer (for tests and tools): tensors converted from float to F32/F16/BF16, written as
// one file or as shards with a model.safetensors.index.json, the layout Hugging Face writes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lm/format/safetensors_dtype.h"

namespace oh::lm {

class SafetensorsWriter {
 public:
  /// An entry of the header's "__metadata__" (written into every shard).
  void set_metadata(const std::string& key, const std::string& value);
  /// Adds a tensor; `shape` is outermost first, `values` row-major floats converted to `dtype` now.
  /// Throws InputError on a duplicate or reserved name, a size mismatch or a dtype other than F32/F16/BF16.
  void add_tensor(const std::string& name, const std::vector<uint64_t>& shape, const std::vector<float>& values,
                  SafetensorsDtype dtype);

  /// One file as bytes. The header is padded with spaces to a multiple of 8 bytes and the data is
  /// ordered by element size, largest first, so every tensor is aligned to its element size.
  std::string serialize() const;
  /// Writes one file atomically; throws InputError naming the path on failure.
  void write(const std::string& path) const;
  /// Writes the tensors, in the order added, into shards holding at most `max_shard_bytes` of data
  /// each (a larger tensor gets a shard of its own), named model-0000k-of-0000n.safetensors, plus
  /// model.safetensors.index.json, into `directory` (created when missing). Returns the shard count.
  size_t write_sharded(const std::string& directory, uint64_t max_shard_bytes) const;

 private:
  struct Tensor {
    std::string name;
    SafetensorsDtype dtype;
    std::vector<uint64_t> shape;
    std::string bytes;
  };
  std::string serialize(const std::vector<const Tensor*>& tensors) const;

  std::map<std::string, std::string> metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace oh::lm
