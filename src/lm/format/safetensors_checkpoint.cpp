#include "lm/format/safetensors_checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": invalid JSON: " + e.what());
  }
}

/// A shard must be a plain file name beside the index: an index must not point elsewhere on the disk.
void check_shard_name(const std::string& shard, const std::string& index_path) {
  if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos || shard.find('\0') != std::string::npos)
    throw InputError(index_path + ": weight_map: shard '" + shard + "' is not a file name beside the index");
}

}  // namespace

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::string& path) {
  SafetensorsCheckpoint checkpoint;
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    if (fs::exists(dir / kSafetensorsIndexFile, ec))
      file = (dir / kSafetensorsIndexFile).string();
    else if (fs::exists(dir / kSafetensorsSingleFile, ec))
      file = (dir / kSafetensorsSingleFile).string();
    else
      throw InputError(path + ": holds neither " + kSafetensorsIndexFile + " nor " + kSafetensorsSingleFile);
  }
  checkpoint.path_ = file;
  checkpoint.directory_ = fs::path(file).parent_path().string();
  if (checkpoint.directory_.empty()) checkpoint.directory_ = ".";
  if (ends_with(file, ".json"))
    checkpoint.open_index(file);
  else
    checkpoint.add_file(SafetensorsFile::open(file));
  return checkpoint;
}

void SafetensorsCheckpoint::add_file(SafetensorsFile file) {
  const size_t f = files_.size();
  for (size_t t = 0; t < file.tensors().size(); ++t) {
    const std::string& name = file.tensors()[t].name;
    const auto [it, inserted] = index_.emplace(name, std::make_pair(f, t));
    if (!inserted)
      throw InputError(file.path() + ": tensor '" + name + "' is also in " + files_[it->second.first].path());
  }
  files_.push_back(std::move(file));
}

void SafetensorsCheckpoint::open_index(const std::string& index_path) {
  const nlohmann::json index = read_json_file(index_path);
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw InputError(index_path + ": expected an object with a \"weight_map\" object");
  std::map<std::string, std::vector<std::string>> tensors_of_shard;
  for (const auto& [tensor, shard] : index["weight_map"].items()) {
    if (!shard.is_string()) throw InputError(index_path + ": weight_map: '" + tensor + "' maps to " + shard.dump() + ", not a file name");
    check_shard_name(shard.get<std::string>(), index_path);
    tensors_of_shard[shard.get<std::string>()].push_back(tensor);
  }
  if (tensors_of_shard.empty()) throw InputError(index_path + ": weight_map is empty");
  for (const auto& [shard, listed] : tensors_of_shard) {
    SafetensorsFile file = SafetensorsFile::open((fs::path(directory_) / shard).string());
    for (const std::string& name : listed)
      if (!file.find_tensor(name))
        throw InputError(index_path + ": weight_map: tensor '" + name + "' is not in " + file.path());
    if (file.tensors().size() != listed.size()) {
      for (const auto& t : file.tensors())
        if (std::find(listed.begin(), listed.end(), t.name) == listed.end())
          throw InputError(file.path() + ": tensor '" + t.name + "' is not listed for this shard in " + index_path);
    }
    add_file(std::move(file));
  }
}

std::vector<std::string> SafetensorsCheckpoint::tensor_names() const {
  std::vector<std::string> names;
  for (const auto& entry : index_) names.push_back(entry.first);
  return names;
}

const SafetensorsTensor* SafetensorsCheckpoint::find_tensor(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &files_[it->second.first].tensors()[it->second.second];
}

const SafetensorsTensor& SafetensorsCheckpoint::tensor(const std::string& name) const {
  if (const SafetensorsTensor* t = find_tensor(name)) return *t;
  throw InputError(path_ + ": missing tensor '" + name + "'");
}

const SafetensorsFile& SafetensorsCheckpoint::file_of(const std::string& name) const {
  return files_[index_.at(name).first];
}

}  // namespace oh::lm
