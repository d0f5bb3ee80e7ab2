#pragma once
// A Hugging Face safetensors checkpoint: one model.safetensors, or shards listed by
// model.safetensors.index.json ({"weight_map": {tensor: shard file}}), presented as one set of tensors.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lm/format/safetensors_reader.h"

namespace oh::lm {

constexpr const char* kSafetensorsSingleFile = "model.safetensors";
constexpr const char* kSafetensorsIndexFile = "model.safetensors.index.json";

class SafetensorsCheckpoint {
 public:
  /// `path` is a .safetensors file, an index .json, or a directory holding model.safetensors.index.json
  /// or model.safetensors. With an index, every listed tensor must be in its shard and every tensor of a
  /// shard must be listed (InputError naming the index or shard otherwise).
  static SafetensorsCheckpoint open(const std::string& path);

  /// The single file or the index that was opened (errors name it).
  const std::string& path() const { return path_; }
  /// The directory the checkpoint lives in (config.json sits beside the weights).
  const std::string& directory() const { return directory_; }
  const std::vector<SafetensorsFile>& files() const { return files_; }

  /// Tensor names, sorted.
  std::vector<std::string> tensor_names() const;
  const SafetensorsTensor* find_tensor(const std::string& name) const;
  /// Throws InputError naming the checkpoint and tensor when absent.
  const SafetensorsTensor& tensor(const std::string& name) const;
  /// The file holding `name` (which must exist).
  const SafetensorsFile& file_of(const std::string& name) const;

 private:
  SafetensorsCheckpoint() = default;
  void add_file(SafetensorsFile file);
  void open_index(const std::string& index_path);

  std::string path_, directory_;
  std::vector<SafetensorsFile> files_;
  std::map<std::string, std::pair<size_t, size_t>> index_;  // name -> (file, tensor within file)
};

}  // namespace oh::lm
