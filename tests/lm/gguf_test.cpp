// GGUF reader and writer: round trips of every value type and tensor type, fp16 and Q8_0 numerics,
// and malformed files (each an InputError naming the file, offset and field; never a crash).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/error.h"
#include "core/numpy_random.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_writer.h"

namespace oh::lm {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("oh_gguf_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

/// Raw little-endian bytes for hand-made (malformed) files.
struct Bytes {
  std::string s;
  template <typename T>
  Bytes& put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    s.append(b, sizeof(T));
    return *this;
  }
  Bytes& str(const std::string& x) {
    put<uint64_t>(x.size());
    s += x;
    return *this;
  }
  Bytes& header(uint32_t version, uint64_t tensors, uint64_t kvs) {
    s += "GGUF";
    return put(version).put(tensors).put(kvs);
  }
};

void expect_input_error(const std::string& bytes, const std::string& name, const std::string& must_mention) {
  const std::string path = write_bytes(name, bytes);
  try {
    GgufFile::open(path);
    ADD_FAILURE() << name << ": parsed without error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(must_mention), std::string::npos) << name << ": " << what;
  }
  std::filesystem::remove(path);
}

GgufWriter sample_writer(uint32_t alignment) {
  GgufWriter w(alignment);
  w.set("u8", GgufValue{uint8_t{200}});
  w.set("i8", GgufValue{int8_t{-100}});
  w.set("u16", GgufValue{uint16_t{60000}});
  w.set("i16", GgufValue{int16_t{-30000}});
  w.set_u32("u32", 4000000000u);
  w.set_i32("i32", -2000000000);
  w.set_f32("f32", 0.1f);
  w.set_bool("bool", true);
  w.set_string("string", "caf\xc3\xa9");
  w.set("u64", GgufValue{uint64_t{18000000000000000000ull}});
  w.set("i64", GgufValue{int64_t{-9000000000000000000ll}});
  w.set("f64", GgufValue{0.1});
  GgufArray inner{GgufType::Int32, {GgufValue{int32_t{1}}, GgufValue{int32_t{2}}}};
  GgufArray outer{GgufType::Array, {GgufValue{inner}, GgufValue{GgufArray{GgufType::Int32, {}}}}};
  w.set("nested", GgufValue{outer});
  w.set_strings("strings", {"a", "", "Ġ"});
  return w;
}

TEST(Gguf, EveryValueTypeRoundTrips) {
  for (uint32_t alignment : {32u, 64u}) {
    GgufWriter w = sample_writer(alignment);
    w.add_tensor("t", {3, 2}, {1, 2, 3, 4, 5, 6}, GgmlType::F32);
    const std::string path = temp_path("roundtrip");
    w.write(path);
    const GgufFile f = GgufFile::open(path);
    EXPECT_EQ(f.version(), 3u);
    EXPECT_EQ(f.alignment(), alignment);
    EXPECT_EQ(f.data_offset() % alignment, 0u);
    EXPECT_EQ(std::get<uint8_t>(f.at("u8").data), 200);
    EXPECT_EQ(std::get<int8_t>(f.at("i8").data), -100);
    EXPECT_EQ(std::get<uint16_t>(f.at("u16").data), 60000);
    EXPECT_EQ(std::get<int16_t>(f.at("i16").data), -30000);
    EXPECT_EQ(f.at("u32").as_int("u32"), 4000000000ll);
    EXPECT_EQ(f.at("i32").as_int("i32"), -2000000000ll);
    EXPECT_EQ(std::get<float>(f.at("f32").data), 0.1f);
    EXPECT_TRUE(f.at("bool").as_bool("bool"));
    EXPECT_EQ(f.at("string").as_string("string"), "caf\xc3\xa9");
    EXPECT_EQ(std::get<uint64_t>(f.at("u64").data), 18000000000000000000ull);
    EXPECT_THROW(f.at("u64").as_int("u64"), InputError);  // above INT64_MAX
    EXPECT_EQ(f.at("i64").as_int("i64"), -9000000000000000000ll);
    EXPECT_EQ(std::get<double>(f.at("f64").data), 0.1);
    const auto& nested = f.at("nested").as_array("nested");
    ASSERT_EQ(nested.element_type, GgufType::Array);
    ASSERT_EQ(nested.values.size(), 2u);
    EXPECT_EQ(nested.values[0].as_array("inner").values[1].as_int("x"), 2);
    EXPECT_TRUE(nested.values[1].as_array("empty").values.empty());
    EXPECT_EQ(f.at("strings").as_array("strings").values[2].as_string("s"), "Ġ");
    EXPECT_THROW(f.at("string").as_int("string"), InputError);
    EXPECT_THROW(f.at("missing"), InputError);
    EXPECT_EQ(f.metadata().front().first, alignment == 32 ? "u8" : "general.alignment");
    const auto& t = f.tensor("t");
    EXPECT_EQ(t.dims, (std::vector<uint64_t>{2, 3}));
    EXPECT_EQ(t.shape(), (std::vector<uint64_t>{3, 2}));
    EXPECT_EQ(f.dequantized(t), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    std::filesystem::remove(path);
  }
}

TEST(Gguf, HalfConversion) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(65519.99f), 0x7bff);
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);  // the tie rounds to even: infinity
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);      // tie to even
  EXPECT_EQ(float_to_half(std::ldexp(3.0f, -25)), 0x0002);      // tie to even
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie to even
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(3.0f, -11)), 0x3c02);
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) continue;  // NaN payloads
    ASSERT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h) << h;
  }
}

TEST(Gguf, F16AndQ8_0Tensors) {
  RandomState rng(7);
  std::vector<float> values(4 * 64);
  for (auto& v : values) v = static_cast<float>(rng.standard_normal() * std::pow(10.0, rng.uniform(-3, 2)));
  std::fill(values.begin() + 64, values.begin() + 96, 0.0f);  // an all-zero block
  GgufWriter w;
  w.add_tensor("h", {4, 64}, values, GgmlType::F16);
  w.add_tensor("q", {4, 64}, values, GgmlType::Q8_0);
  EXPECT_THROW(w.add_tensor("bad", {2, 16}, std::vector<float>(32), GgmlType::Q8_0), InputError);
  EXPECT_THROW(w.add_tensor("bad", {2, 16}, std::vector<float>(31), GgmlType::F32), InputError);
  const std::string path = temp_path("quant");
  w.write(path);
  const GgufFile f = GgufFile::open(path);
  EXPECT_EQ(f.tensor("h").bytes, 4u * 64 * 2);
  EXPECT_EQ(f.tensor("q").bytes, 4u * 64 / 32 * 34);
  EXPECT_EQ(f.tensor("q").type, GgmlType::Q8_0);
  const auto h = f.dequantized(f.tensor("h")), q = f.dequantized(f.tensor("q"));
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(h[i], half_to_float(float_to_half(values[i])));
  for (size_t b = 0; b < values.size() / 32; ++b) {
    float amax = 0;
    for (size_t j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(values[b * 32 + j]));
    // Rounding to the step d = amax/127 costs d/2; storing d in fp16 (relative error <= 2^-11)
    // moves a value of |q| <= 127 steps by at most 127 * d * 2^-11 = amax * 2^-11.
    const float bound = amax * (0.5f / 127.0f + std::ldexp(1.0f, -11)) * 1.0001f;
    for (size_t j = 0; j < 32; ++j) EXPECT_LE(std::fabs(q[b * 32 + j] - values[b * 32 + j]), bound) << b << "," << j;
  }
  for (size_t j = 64; j < 96; ++j) EXPECT_EQ(q[j], 0.0f);
  std::filesystem::remove(path);
}

TEST(Gguf, ZeroTensorsAreHolesInASparseFileWithTheSameBytes) {
  GgufWriter w;
  w.set_u32("k", 7);
  w.add_tensor("before", {3, 32}, std::vector<float>(96, 1.5f), GgmlType::F32);
  const uint64_t rows = 4096;  // 4096 × 256 BF16: 2 MiB of zeros
  w.add_zero_tensor("zeros", {rows, 256}, GgmlType::BF16);
  w.add_tensor("after", {32}, std::vector<float>(32, -2.0f), GgmlType::F16);
  EXPECT_THROW(w.add_zero_tensor("bad", {2, 100}, GgmlType::Q8_0), InputError);  // rows not whole blocks
  const std::string path = temp_path("sparse");
  w.write(path);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, w.serialize());
  const GgufFile f = GgufFile::open(path);
  EXPECT_EQ(f.tensor("zeros").bytes, rows * 256 * 2);
  const auto zeros = f.dequantized(f.tensor("zeros"));
  EXPECT_TRUE(std::all_of(zeros.begin(), zeros.end(), [](float v) { return v == 0.0f; }));
  EXPECT_EQ(f.dequantized(f.tensor("after")).front(), -2.0f);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  // Allocated blocks well below the size, unless the file system has no holes (then nothing to check).
  if (static_cast<uint64_t>(st.st_blocks) * 512 < static_cast<uint64_t>(st.st_size)) {
    EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, rows * 256);
  }
  std::filesystem::remove(path);
}

TEST(Gguf, EveryTruncationIsAnInputError) {
  GgufWriter w = sample_writer(32);
  w.add_tensor("a", {2, 32}, std::vector<float>(64, 0.5f), GgmlType::Q8_0);
  w.add_tensor("b", {5}, {1, 2, 3, 4, 5}, GgmlType::F16);
  const std::string bytes = w.serialize();
  const GgufFile full = GgufFile::open(write_bytes("full", bytes));
  const auto& last = full.tensor("b");
  const size_t data_end = full.data_offset() + last.offset + last.bytes;
  const std::string path = temp_path("truncated");
  for (size_t n = 0; n < data_end; ++n) {
    std::ofstream(path, std::ios::binary) << bytes.substr(0, n);
    EXPECT_THROW(GgufFile::open(path), InputError) << "prefix of " << n << " bytes";
  }
  std::filesystem::remove(path);
  std::filesystem::remove(temp_path("full"));
}

TEST(Gguf, MalformedHeadersAndMetadata) {
  expect_input_error("GGML\x03\0\0\0", "magic", "magic");
  expect_input_error(Bytes().header(1, 0, 0).s, "v1", "version");
  expect_input_error(Bytes().header(4, 0, 0).s, "v4", "version");
  expect_input_error(Bytes().header(3, 0, 1ull << 60).s, "kv_count", "metadata count");
  expect_input_error(Bytes().header(3, 1ull << 62, 0).s, "tensor_count", "tensor count");
  expect_input_error(Bytes().header(3, 0, 1).put<uint64_t>(1ull << 40).put<uint64_t>(0).put<uint64_t>(0).s, "key_length",
                     "string length");
  expect_input_error(Bytes().header(3, 0, 1).str("k").put<uint32_t>(13).s, "value_type", "unknown value type 13");
  expect_input_error(Bytes().header(3, 0, 1).str("k").put<uint32_t>(7).put<uint8_t>(2).s, "bool", "bool byte");
  expect_input_error(Bytes().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(99).s, "array_type", "unknown value type 99");
  expect_input_error(Bytes().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(4).put<uint64_t>(1ull << 61).s,
                     "array_length", "array length");
  expect_input_error(Bytes().header(3, 0, 2).str("k").put<uint32_t>(4).put<uint32_t>(1).str("k").put<uint32_t>(4).put<uint32_t>(1).s,
                     "duplicate_key", "duplicate key");
  Bytes deep;
  deep.header(3, 0, 1).str("deep").put<uint32_t>(9);
  for (int i = 0; i < 12; ++i) deep.put<uint32_t>(9).put<uint64_t>(1);
  expect_input_error(deep.s, "nesting", "nested deeper");
  expect_input_error(Bytes().header(3, 0, 1).str("general.alignment").put<uint32_t>(4).put<uint32_t>(48).s, "alignment",
                     "power of two");
  expect_input_error(Bytes().header(3, 0, 1).str("general.alignment").put<uint32_t>(8).str("x").s, "alignment_type",
                     "expected an integer");
}

/// One tensor info after an empty metadata section, then `data_bytes` of data.
std::string one_tensor(std::vector<uint64_t> dims, uint32_t type, uint64_t offset, size_t data_bytes, uint32_t n_dims_field = 0) {
  Bytes b;
  b.header(3, 1, 0).str("w").put<uint32_t>(n_dims_field ? n_dims_field : static_cast<uint32_t>(dims.size()));
  for (auto d : dims) b.put(d);
  b.put(type).put(offset);
  b.s.append((32 - b.s.size() % 32) % 32, '\0');
  b.s.append(data_bytes, '\0');
  return b.s;
}

TEST(Gguf, MalformedTensorInfos) {
  EXPECT_NO_THROW(GgufFile::open(write_bytes("ok", one_tensor({4, 2}, 0, 0, 32))));
  expect_input_error(one_tensor({}, 0, 0, 32, 0), "ndims0", "n_dims");
  expect_input_error(one_tensor({1, 1, 1, 1, 1}, 0, 0, 32), "ndims5", "n_dims");
  expect_input_error(one_tensor({4, 0}, 0, 0, 32), "dim0", "invalid extent");
  expect_input_error(one_tensor({1ull << 40, 1ull << 40}, 0, 0, 32), "overflow", "overflows");
  expect_input_error(one_tensor({4, 2}, 99, 0, 32), "type99", "unknown ggml type 99");
  expect_input_error(one_tensor({16, 2}, 8, 0, 64), "q8_shape", "not a multiple of Q8_0");
  expect_input_error(one_tensor({4, 2}, 0, 8, 64), "misaligned", "alignment");
  expect_input_error(one_tensor({4, 2}, 0, 0, 31), "past_end", "past the end");
  expect_input_error(one_tensor({4, 2}, 0, 1ull << 63, 32), "huge_offset", "past the end");
  Bytes twice;
  twice.header(3, 2, 0).str("w").put<uint32_t>(1).put<uint64_t>(8).put<uint32_t>(0).put<uint64_t>(0);
  twice.str("w").put<uint32_t>(1).put<uint64_t>(8).put<uint32_t>(0).put<uint64_t>(32);
  twice.s.append((32 - twice.s.size() % 32) % 32 + 64, '\0');
  expect_input_error(twice.s, "duplicate_tensor", "duplicate tensor");
  const GgufFile ok = GgufFile::open(write_bytes("q5", one_tensor({32}, 6, 0, 32)));
  EXPECT_THROW(ok.dequantized(ok.tensor("w")), InputError);  // Q5_0 is parsed, not converted
}

TEST(Gguf, RandomCorruptionNeverCrashes) {
  GgufWriter w = sample_writer(32);
  w.add_tensor("a", {2, 32}, std::vector<float>(64, 0.25f), GgmlType::Q8_0);
  const std::string bytes = w.serialize();
  RandomState rng(2024);
  const std::string path = temp_path("fuzz");
  size_t parsed = 0, rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string mutated = bytes;
    const size_t flips = 1 + rng.random_interval(3);
    for (size_t k = 0; k < flips; ++k)
      mutated[rng.random_interval(mutated.size() - 1)] = static_cast<char>(rng.random_interval(255));
    std::ofstream(path, std::ios::binary) << mutated;
    try {
      const GgufFile f = GgufFile::open(path);
      for (const auto& t : f.tensors())
        if (is_convertible(t.type)) f.dequantized(t);
      ++parsed;
    } catch (const InputError&) {
      ++rejected;
    }
  }
  std::filesystem::remove(path);
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(rejected, 0u);
}

}  // namespace
}  // namespace oh::lm
