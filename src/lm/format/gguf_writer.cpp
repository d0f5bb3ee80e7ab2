#include "lm/format/gguf_writer.h"

#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace oh::lm {
namespace {

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_string(std::string& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out += s;
}

void put_value(std::string& out, const GgufValue& v) {
  std::visit(
      [&out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          put_string(out, x);
        } else if constexpr (std::is_same_v<T, GgufArray>) {
          put<uint32_t>(out, static_cast<uint32_t>(x.element_type));
          put<uint64_t>(out, x.values.size());
          for (const auto& e : x.values) {
            if (e.type() != x.element_type) throw InputError("GGUF array holds mixed element types");
            put_value(out, e);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          put<uint8_t>(out, x ? 1 : 0);
        } else {
          put<T>(out, x);
        }
      },
      v.data);
}

void pad_to(std::string& out, uint32_t alignment) {
  out.append((alignment - out.size() % alignment) % alignment, '\0');
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) throw InputError("GGUF alignment must be a power of two");
  if (alignment != 32) set_u32("general.alignment", alignment);
}

void GgufWriter::set(const std::string& key, GgufValue value) {
  for (auto& [k, v] : metadata_)
    if (k == key) {
      v = std::move(value);
      return;
    }
  metadata_.emplace_back(key, std::move(value));
}

void GgufWriter::set_string(const std::string& key, const std::string& value) { set(key, GgufValue{value}); }
void GgufWriter::set_u32(const std::string& key, uint32_t value) { set(key, GgufValue{value}); }
void GgufWriter::set_i32(const std::string& key, int32_t value) { set(key, GgufValue{value}); }
void GgufWriter::set_f32(const std::string& key, float value) { set(key, GgufValue{value}); }
void GgufWriter::set_bool(const std::string& key, bool value) { set(key, GgufValue{value}); }

void GgufWriter::set_strings(const std::string& key, const std::vector<std::string>& values) {
  GgufArray a{GgufType::String, {}};
  a.values.reserve(values.size());
  for (const auto& s : values) a.values.push_back(GgufValue{s});
  set(key, GgufValue{std::move(a)});
}

void GgufWriter::set_i32s(const std::string& key, const std::vector<int32_t>& values) {
  GgufArray a{GgufType::Int32, {}};
  a.values.reserve(values.size());
  for (auto x : values) a.values.push_back(GgufValue{x});
  set(key, GgufValue{std::move(a)});
}

uint64_t GgufWriter::checked_byte_size(const std::string& name, const std::vector<uint64_t>& shape, GgmlType type) {
  if (shape.empty() || shape.size() > 4) throw InputError("tensor '" + name + "': 1 to 4 dimensions");
  const auto& traits = ggml_type_traits(type);
  if (!is_convertible(type)) throw InputError(std::string("tensor '") + name + "': cannot write type " + traits.name);
  if (shape.back() % traits.block_elements != 0)
    throw InputError("tensor '" + name + "': row length " + std::to_string(shape.back()) + " is not a multiple of " +
                     traits.name + "'s block of " + std::to_string(traits.block_elements));
  uint64_t n = 1;
  for (auto d : shape) n *= d;
  return n / traits.block_elements * traits.block_bytes;
}

void GgufWriter::add_tensor(const std::string& name, const std::vector<uint64_t>& shape,
                            const std::vector<float>& values, GgmlType type) {
  const uint64_t bytes = checked_byte_size(name, shape, type);
  uint64_t n = 1;
  for (auto d : shape) n *= d;
  if (n != values.size())
    throw InputError("tensor '" + name + "': shape holds " + std::to_string(n) + " values, given " +
                     std::to_string(values.size()));
  Tensor t{name, {shape.rbegin(), shape.rend()}, type, std::string(bytes, '\0'), 0};
  quantize(type, values.data(), t.bytes.data(), values.size());
  tensors_.push_back(std::move(t));
}

void GgufWriter::add_zero_tensor(const std::string& name, const std::vector<uint64_t>& shape, GgmlType type) {
  tensors_.push_back(Tensor{name, {shape.rbegin(), shape.rend()}, type, {}, checked_byte_size(name, shape, type)});
}

uint64_t GgufWriter::padded_size(const Tensor& t) const {
  return (t.size() + alignment_ - 1) / alignment_ * alignment_;
}

std::string GgufWriter::header() const {
  std::string out = "GGUF";
  put<uint32_t>(out, 3);
  put<uint64_t>(out, tensors_.size());
  put<uint64_t>(out, metadata_.size());
  for (const auto& [key, value] : metadata_) {
    put_string(out, key);
    put<uint32_t>(out, static_cast<uint32_t>(value.type()));
    put_value(out, value);
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    put_string(out, t.name);
    put<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
    for (auto d : t.dims) put<uint64_t>(out, d);
    put<uint32_t>(out, static_cast<uint32_t>(t.type));
    put<uint64_t>(out, offset);
    offset += padded_size(t);
  }
  pad_to(out, alignment_);
  return out;
}

std::string GgufWriter::serialize() const {
  std::string out = header();
  for (const auto& t : tensors_) {
    out += t.bytes;
    out.append(t.zero_bytes, '\0');
    pad_to(out, alignment_);
  }
  return out;
}

void GgufWriter::write(const std::string& path) const {
  // Streamed tensor by tensor (no whole-file copy in memory); zero tensors and padding are skipped by
  // seeking, so zero tensors stay holes, and a zero byte at the very end, when nothing was written there,
  // gives the file its full size.
  write_file_atomically(path, [&](std::ostream& out) {
    const std::string head = header();
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    uint64_t written = head.size(), end = head.size();
    for (const auto& t : tensors_) {
      if (!t.bytes.empty()) {
        out.seekp(static_cast<std::streamoff>(end));
        out.write(t.bytes.data(), static_cast<std::streamsize>(t.bytes.size()));
        written = end + t.bytes.size();
      }
      end += padded_size(t);
    }
    if (written < end) {
      out.seekp(static_cast<std::streamoff>(end - 1));
      out.put('\0');
    }
  });
}

}  // namespace oh::lm
