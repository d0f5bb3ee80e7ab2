#include "lm/format/safetensors_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::lm {
namespace {

using nlohmann::json;

// Root object (0) -> tensor entry (1) -> shape/data_offsets arrays (2) -> numbers (3): anything deeper
// is not a safetensors header, and rejecting it while parsing bounds the work on hostile input.
constexpr int kMaxHeaderDepth = 3;

/// Parses the header JSON, rejecting duplicate keys (nlohmann would silently keep the last) and nesting
/// deeper than a header has.
json parse_header(const char* begin, const char* end, const std::string& path) {
  std::vector<std::set<std::string>> keys(kMaxHeaderDepth + 2);
  auto check = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxHeaderDepth) throw InputError(path + ": header: JSON nested deeper than a safetensors header");
    if (event == json::parse_event_t::object_start) keys[static_cast<size_t>(depth) + 1].clear();
    if (event == json::parse_event_t::key && !keys[static_cast<size_t>(depth)].insert(parsed.get<std::string>()).second)
      throw InputError(path + ": header: duplicate key '" + parsed.get<std::string>() + "'");
    return true;
  };
  try {
    return json::parse(begin, end, check);
  } catch (const json::exception& e) {
    throw InputError(path + ": header: invalid JSON: " + e.what());
  }
}

uint64_t checked_product(uint64_t a, uint64_t b, const std::string& where) {
  if (b != 0 && a > std::numeric_limits<uint64_t>::max() / b) throw InputError(where + ": size overflows");
  return a * b;
}

/// The unsigned integers of a JSON array; `count` (when nonzero) is the required length.
std::vector<uint64_t> read_unsigned_array(const json& value, size_t count, const std::string& where) {
  if (!value.is_array() || (count != 0 && value.size() != count))
    throw InputError(where + ": expected an array of " + (count ? std::to_string(count) + " " : "") +
                     "non-negative integers, found " + value.dump());
  std::vector<uint64_t> out;
  for (const json& v : value) {
    if (!v.is_number_unsigned()) throw InputError(where + ": expected a non-negative integer, found " + v.dump());
    out.push_back(v.get<uint64_t>());
  }
  return out;
}

SafetensorsTensor read_entry(const std::string& name, const json& entry, const std::string& path) {
  const std::string where = path + ": tensor '" + name + "'";
  if (name.empty()) throw InputError(path + ": a tensor has an empty name");
  if (!entry.is_object()) throw InputError(where + ": expected an object, found " + entry.dump());
  for (const auto& [key, value] : entry.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets") throw InputError(where + ": unknown field '" + key + "'");
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(field)) throw InputError(where + ": missing field '" + field + "'");

  SafetensorsTensor t;
  t.name = name;
  const json& dtype = entry["dtype"];
  const SafetensorsDtypeTraits* traits = dtype.is_string() ? find_safetensors_dtype(dtype.get<std::string>()) : nullptr;
  if (traits == nullptr) throw InputError(where + ": dtype: unknown dtype " + dtype.dump());
  t.dtype = traits->dtype;
  t.shape = read_unsigned_array(entry["shape"], 0, where + ": shape");
  const std::vector<uint64_t> offsets = read_unsigned_array(entry["data_offsets"], 2, where + ": data_offsets");
  t.begin = offsets[0];
  t.end = offsets[1];
  if (t.begin > t.end)
    throw InputError(where + ": data_offsets: begin " + std::to_string(t.begin) + " is after end " + std::to_string(t.end));
  uint64_t elements = 1;
  for (uint64_t d : t.shape) elements = checked_product(elements, d, where + ": shape");
  const uint64_t bytes = checked_product(elements, traits->bytes, where + ": shape");
  if (bytes != t.end - t.begin)
    throw InputError(where + ": data_offsets: " + std::to_string(t.end - t.begin) + " bytes, but shape and dtype " +
                     traits->name + " need " + std::to_string(bytes));
  return t;
}

}  // namespace

uint64_t SafetensorsTensor::element_count() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;  // checked for overflow when the file was parsed
  return n;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile file(MappedFile{path});
  file.parse();
  return file;
}

void SafetensorsFile::parse() {
  const std::string& path = file_.path();
  const uint64_t size = file_.size();
  if (size < 8) throw InputError(path + ": header length: needs 8 bytes, the file has " + std::to_string(size) + " (truncated file)");
  uint64_t header_length;
  std::memcpy(&header_length, file_.data(), 8);  // little-endian, as the hosts this builds on
  if (header_length < 2 || header_length > kSafetensorsMaxHeaderBytes || header_length > size - 8)
    throw InputError(path + ": header length " + std::to_string(header_length) + " is not within 2.." +
                     std::to_string(std::min(kSafetensorsMaxHeaderBytes, size - 8)) + " (truncated or not a safetensors file)");
  const char* header = reinterpret_cast<const char*>(file_.data() + 8);
  if (header[0] != '{') throw InputError(path + ": header: does not start with '{' (not a safetensors file)");
  // nlohmann's parser stops at a NUL as if the input ended, which would hide whatever follows it.
  if (const void* nul = std::memchr(header, '\0', header_length))
    throw InputError(path + ": header: invalid JSON: NUL byte at offset " +
                     std::to_string(8 + (static_cast<const char*>(nul) - header)));
  const json root = parse_header(header, header + header_length, path);
  if (!root.is_object()) throw InputError(path + ": header: not a JSON object");
  data_offset_ = 8 + header_length;
  const uint64_t buffer_size = size - data_offset_;

  for (const auto& [name, entry] : root.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw InputError(path + ": __metadata__: expected an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw InputError(path + ": __metadata__: value of '" + key + "' is not a string");
        metadata_.emplace(key, value.get<std::string>());
      }
      continue;
    }
    tensors_.push_back(read_entry(name, entry, path));
  }
  std::sort(tensors_.begin(), tensors_.end(), [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    SafetensorsTensor& t = tensors_[i];
    if (t.begin != covered)
      throw InputError(path + ": tensor '" + t.name + "': data_offsets: begins at " + std::to_string(t.begin) + ", expected " +
                       std::to_string(covered) + (t.begin < covered ? " (overlaps the previous tensor)" : " (a hole in the buffer)"));
    if (t.end > buffer_size)
      throw InputError(path + ": tensor '" + t.name + "': data_offsets: end " + std::to_string(t.end) +
                       " runs past the data buffer (" + std::to_string(buffer_size) + " bytes; truncated file?)");
    covered = t.end;
    t.data = file_.data() + data_offset_ + t.begin;
    tensor_index_.emplace(t.name, i);
  }
  if (covered != buffer_size)
    throw InputError(path + ": the tensors cover " + std::to_string(covered) + " of the data buffer's " +
                     std::to_string(buffer_size) + " bytes (trailing bytes)");
}

const SafetensorsTensor* SafetensorsFile::find_tensor(const std::string& name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const SafetensorsTensor& SafetensorsFile::tensor(const std::string& name) const {
  if (const SafetensorsTensor* t = find_tensor(name)) return *t;
  throw InputError(path() + ": missing tensor '" + name + "'");
}

std::vector<float> SafetensorsFile::to_float(const SafetensorsTensor& tensor) const {
  if (!is_float_convertible(tensor.dtype))
    throw InputError(path() + ": tensor '" + tensor.name + "': dtype " + safetensors_dtype_traits(tensor.dtype).name +
                     " cannot be converted to float (F32, F16, BF16)");
  std::vector<float> out(static_cast<size_t>(tensor.element_count()));
  oh::lm::to_float(tensor.dtype, tensor.data, out.data(), out.size());
  return out;
}

}  // namespace oh::lm
