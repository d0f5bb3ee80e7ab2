#include "lm/format/safetensors_writer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace oh::lm {

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

void SafetensorsWriter::add_tensor(const std::string& name, const std::vector<uint64_t>& shape, const std::vector<float>& values,
                                   SafetensorsDtype dtype) {
  if (name.empty() || name == "__metadata__") throw InputError("safetensors writer: invalid tensor name '" + name + "'");
  for (const Tensor& t : tensors_)
    if (t.name == name) throw InputError("safetensors writer: duplicate tensor '" + name + "'");
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  if (n != values.size())
    throw InputError("safetensors writer: tensor '" + name + "' has " + std::to_string(values.size()) +
                     " values, its shape needs " + std::to_string(n));
  Tensor t{name, dtype, shape, std::string(values.size() * safetensors_dtype_traits(dtype).bytes, '\0')};
  from_float(dtype, values.data(), t.bytes.data(), values.size());
  tensors_.push_back(std::move(t));
}

std::string SafetensorsWriter::serialize(const std::vector<const Tensor*>& tensors) const {
  std::vector<const Tensor*> order = tensors;
  std::stable_sort(order.begin(), order.end(), [](const Tensor* a, const Tensor* b) {
    return safetensors_dtype_traits(a->dtype).bytes > safetensors_dtype_traits(b->dtype).bytes;
  });
  nlohmann::json header = nlohmann::json::object();
  if (!metadata_.empty()) header["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const Tensor* t : order) {
    header[t->name] = {{"dtype", safetensors_dtype_traits(t->dtype).name},
                       {"shape", t->shape},
                       {"data_offsets", {offset, offset + t->bytes.size()}}};
    offset += t->bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the buffer then starts 8-aligned
  const uint64_t length = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &length, 8);
  out += text;
  for (const Tensor* t : order) out += t->bytes;
  return out;
}

std::string SafetensorsWriter::serialize() const {
  std::vector<const Tensor*> all;
  for (const Tensor& t : tensors_) all.push_back(&t);
  return serialize(all);
}

void SafetensorsWriter::write(const std::string& path) const { write_file_atomically(path, serialize()); }

size_t SafetensorsWriter::write_sharded(const std::string& directory, uint64_t max_shard_bytes) const {
  std::vector<std::vector<const Tensor*>> shards;
  uint64_t shard_bytes = 0;
  for (const Tensor& t : tensors_) {
    if (shards.empty() || (shard_bytes > 0 && shard_bytes + t.bytes.size() > max_shard_bytes)) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back(&t);
    shard_bytes += t.bytes.size();
  }
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) throw InputError(directory + ": cannot create directory: " + ec.message());
  nlohmann::json weight_map = nlohmann::json::object();
  uint64_t total = 0;
  for (size_t k = 0; k < shards.size(); ++k) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", k + 1, shards.size());
    write_file_atomically((std::filesystem::path(directory) / name).string(), serialize(shards[k]));
    for (const Tensor* t : shards[k]) {
      weight_map[t->name] = name;
      total += t->bytes.size();
    }
  }
  const nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
  write_file_atomically((std::filesystem::path(directory) / "model.safetensors.index.json").string(), index.dump(2) + "\n");
  return shards.size();
}

}  // namespace oh::lm
