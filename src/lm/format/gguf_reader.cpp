#include "lm/format/gguf_reader.h"

#include <cstring>
#include <limits>

#include "core/error.h"

namespace oh::lm {
namespace {

constexpr int kMaxArrayNesting = 8;  // deeper nesting is not a model file; bounds the recursion

/// A bounds-checked cursor over the mapped bytes; every failure names the file, offset and field.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size, const std::string& path) : data_(data), size_(size), path_(path) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(size_t at, const std::string& field, const std::string& problem) const {
    throw InputError(path_ + ": offset " + std::to_string(at) + ": " + field + ": " + problem);
  }

  void need(size_t n, const std::string& field) const {
    if (n > remaining())
      fail(pos_, field, "needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left (truncated file)");
  }

  template <typename T>
  T read(const std::string& field) {
    need(sizeof(T), field);
    T value;
    std::memcpy(&value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string read_string(const std::string& field) {
    const size_t at = pos_;
    const auto length = read<uint64_t>(field + " length");
    if (length > remaining()) fail(at, field, "string length " + std::to_string(length) + " runs past the end");
    std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(length));
    pos_ += static_cast<size_t>(length);
    return s;
  }

  /// Checks that `count` items of at least `min_bytes` each can still fit (before reserving memory).
  void check_count(uint64_t count, size_t min_bytes, size_t at, const std::string& field) const {
    if (min_bytes > 0 && count > remaining() / min_bytes)
      fail(at, field, "count " + std::to_string(count) + " exceeds what the remaining " + std::to_string(remaining()) +
                          " bytes can hold");
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& path_;
};

/// Smallest encoded size of a value of `type` (used to bound counts before allocating).
size_t min_encoded_size(GgufType type) {
  switch (type) {
    case GgufType::Uint8: case GgufType::Int8: case GgufType::Bool: return 1;
    case GgufType::Uint16: case GgufType::Int16: return 2;
    case GgufType::Uint32: case GgufType::Int32: case GgufType::Float32: return 4;
    case GgufType::String: case GgufType::Uint64: case GgufType::Int64: case GgufType::Float64: return 8;
    case GgufType::Array: return 12;
  }
  return 1;
}

GgufType read_type(Cursor& in, const std::string& field) {
  const size_t at = in.offset();
  const auto code = in.read<uint32_t>(field);
  if (code >= kGgufTypeCount) in.fail(at, field, "unknown value type " + std::to_string(code));
  return static_cast<GgufType>(code);
}

GgufValue read_value(Cursor& in, GgufType type, const std::string& field, int depth) {
  GgufValue v;
  switch (type) {
    case GgufType::Uint8: v.data = in.read<uint8_t>(field); break;
    case GgufType::Int8: v.data = in.read<int8_t>(field); break;
    case GgufType::Uint16: v.data = in.read<uint16_t>(field); break;
    case GgufType::Int16: v.data = in.read<int16_t>(field); break;
    case GgufType::Uint32: v.data = in.read<uint32_t>(field); break;
    case GgufType::Int32: v.data = in.read<int32_t>(field); break;
    case GgufType::Float32: v.data = in.read<float>(field); break;
    case GgufType::Uint64: v.data = in.read<uint64_t>(field); break;
    case GgufType::Int64: v.data = in.read<int64_t>(field); break;
    case GgufType::Float64: v.data = in.read<double>(field); break;
    case GgufType::Bool: {
      const size_t at = in.offset();
      const auto b = in.read<uint8_t>(field);
      if (b > 1) in.fail(at, field, "bool byte " + std::to_string(b) + " is neither 0 nor 1");
      v.data = b == 1;
      break;
    }
    case GgufType::String: v.data = in.read_string(field); break;
    case GgufType::Array: {
      if (depth >= kMaxArrayNesting) in.fail(in.offset(), field, "arrays nested deeper than " + std::to_string(kMaxArrayNesting));
      GgufArray array;
      array.element_type = read_type(in, field + " element type");
      const size_t at = in.offset();
      const auto count = in.read<uint64_t>(field + " array length");
      in.check_count(count, min_encoded_size(array.element_type), at, field + " array length");
      array.values.reserve(static_cast<size_t>(count));
      for (uint64_t i = 0; i < count; ++i)
        array.values.push_back(read_value(in, array.element_type, field + "[" + std::to_string(i) + "]", depth + 1));
      v.data = std::move(array);
      break;
    }
  }
  return v;
}

uint64_t checked_product(uint64_t a, uint64_t b, Cursor& in, size_t at, const std::string& field) {
  if (b != 0 && a > std::numeric_limits<uint64_t>::max() / b) in.fail(at, field, "element count overflows");
  return a * b;
}

}  // namespace

uint64_t GgufTensorInfo::element_count() const {
  uint64_t n = 1;
  for (auto d : dims) n *= d;  // checked for overflow when the file was parsed
  return n;
}

GgufFile GgufFile::open(const std::string& path) {
  GgufFile file(MappedFile{path});
  file.parse();
  return file;
}

void GgufFile::parse() {
  const std::string& file_path = file_.path();
  Cursor in(file_.data(), file_.size(), file_path);
  in.need(4, "magic");
  if (std::memcmp(file_.data(), "GGUF", 4) != 0) in.fail(0, "magic", "not a GGUF file (expected 'GGUF')");
  in.read<uint32_t>("magic");
  const size_t version_at = in.offset();
  version_ = in.read<uint32_t>("version");
  if (version_ != 2 && version_ != 3)
    in.fail(version_at, "version", "unsupported GGUF version " + std::to_string(version_) + " (2 or 3)");
  const size_t tensor_count_at = in.offset();
  const auto tensor_count = in.read<uint64_t>("tensor count");
  const size_t kv_count_at = in.offset();
  const auto kv_count = in.read<uint64_t>("metadata count");
  // A KV needs at least a key length and a type; a tensor info a name length, n_dims, type and offset.
  in.check_count(kv_count, 12, kv_count_at, "metadata count");
  in.check_count(tensor_count, 24, tensor_count_at, "tensor count");

  metadata_.reserve(static_cast<size_t>(kv_count));
  for (uint64_t i = 0; i < kv_count; ++i) {
    const size_t key_at = in.offset();
    std::string key = in.read_string("metadata key " + std::to_string(i));
    if (metadata_index_.count(key)) in.fail(key_at, "metadata key '" + key + "'", "duplicate key");
    const GgufType type = read_type(in, "type of '" + key + "'");
    GgufValue value = read_value(in, type, "value of '" + key + "'", 0);
    metadata_index_.emplace(key, metadata_.size());
    metadata_.emplace_back(std::move(key), std::move(value));
  }
  if (const GgufValue* a = find("general.alignment")) {
    const int64_t alignment = a->as_int(file_path + ": general.alignment");
    if (a->type() != GgufType::Uint32 || alignment == 0 || (alignment & (alignment - 1)) != 0)
      throw InputError(file_path + ": general.alignment: must be a uint32 power of two, found " +
                       std::string(gguf_type_name(a->type())) + " " + std::to_string(alignment));
    alignment_ = static_cast<uint32_t>(alignment);
  }

  tensors_.reserve(static_cast<size_t>(tensor_count));
  std::vector<size_t> info_offsets;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    info_offsets.push_back(in.offset());
    GgufTensorInfo t;
    t.name = in.read_string("tensor " + std::to_string(i) + " name");
    const std::string field = "tensor '" + t.name + "'";
    if (tensor_index_.count(t.name)) in.fail(info_offsets.back(), field, "duplicate tensor name");
    const size_t dims_at = in.offset();
    const auto n_dims = in.read<uint32_t>(field + " n_dims");
    if (n_dims == 0 || n_dims > kGgufMaxDims)
      in.fail(dims_at, field + " n_dims", std::to_string(n_dims) + " is outside 1.." + std::to_string(kGgufMaxDims));
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const size_t dim_at = in.offset();
      const auto dim = in.read<uint64_t>(field + " dim " + std::to_string(d));
      if (dim == 0 || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        in.fail(dim_at, field + " dim " + std::to_string(d), "invalid extent " + std::to_string(dim));
      elements = checked_product(elements, dim, in, dim_at, field + " shape");
      t.dims.push_back(dim);
    }
    const size_t type_at = in.offset();
    const auto type_id = in.read<uint32_t>(field + " type");
    const GgmlTypeTraits* traits = find_ggml_type(type_id);
    if (traits == nullptr) in.fail(type_at, field + " type", "unknown ggml type " + std::to_string(type_id));
    t.type = traits->type;
    if (t.dims[0] % traits->block_elements != 0)
      in.fail(dims_at, field + " shape", "innermost extent " + std::to_string(t.dims[0]) + " is not a multiple of " +
                                             traits->name + "'s block of " + std::to_string(traits->block_elements));
    t.bytes = checked_product(elements / traits->block_elements, traits->block_bytes, in, dims_at, field + " size");
    t.offset = in.read<uint64_t>(field + " offset");
    tensor_index_.emplace(t.name, tensors_.size());
    tensors_.push_back(std::move(t));
  }

  const uint64_t header_end = in.offset();
  data_offset_ = (header_end + alignment_ - 1) / alignment_ * alignment_;
  if (data_offset_ > file_.size() && !tensors_.empty())
    in.fail(header_end, "tensor data", "section starts at " + std::to_string(data_offset_) + ", past the end of the file");
  const uint64_t data_size = data_offset_ <= file_.size() ? file_.size() - data_offset_ : 0;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    auto& t = tensors_[i];
    const std::string field = "tensor '" + t.name + "' offset";
    if (t.offset % alignment_ != 0)
      in.fail(info_offsets[i], field, std::to_string(t.offset) + " is not a multiple of the alignment " + std::to_string(alignment_));
    if (t.offset > data_size || t.bytes > data_size - t.offset)
      in.fail(info_offsets[i], field,
              "data [" + std::to_string(t.offset) + ", +" + std::to_string(t.bytes) + ") runs past the end of the data section (" +
                  std::to_string(data_size) + " bytes)");
    t.data = file_.data() + data_offset_ + t.offset;
  }
}

const GgufValue* GgufFile::find(const std::string& key) const {
  const auto it = metadata_index_.find(key);
  return it == metadata_index_.end() ? nullptr : &metadata_[it->second].second;
}

const GgufValue& GgufFile::at(const std::string& key) const {
  if (const GgufValue* v = find(key)) return *v;
  throw InputError(path() + ": missing metadata key '" + key + "'");
}

const GgufTensorInfo* GgufFile::find_tensor(const std::string& name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(const std::string& name) const {
  if (const GgufTensorInfo* t = find_tensor(name)) return *t;
  throw InputError(path() + ": missing tensor '" + name + "'");
}

std::vector<float> GgufFile::dequantized(const GgufTensorInfo& tensor) const {
  if (!is_convertible(tensor.type))
    throw InputError(path() + ": tensor '" + tensor.name + "': type " + ggml_type_traits(tensor.type).name +
                     " cannot be converted (F32, F16, Q8_0)");
  std::vector<float> out(static_cast<size_t>(tensor.element_count()));
  dequantize(tensor.type, tensor.data, out.data(), out.size());
  return out;
}

}  // namespace oh::lm
