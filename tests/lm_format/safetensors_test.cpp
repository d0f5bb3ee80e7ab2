// safetensors: dtype conversions against values derived from the bit layouts, writer/reader round
// trips (one file and sharded with an index), and untrusted input: hand-made malformed headers, every
// truncation and a seeded corruption sweep, each an InputError naming the file, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/numpy_random.h"
#include "lm/format/ggml_types.h"
#include "lm/format/safetensors_checkpoint.h"
#include "lm/format/safetensors_reader.h"
#include "lm/format/safetensors_writer.h"
#include "test_files.h"

namespace oh::lm {
namespace {

using testing::temp_path;
using testing::write_bytes;

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// The value a 16-bit float pattern encodes, from its fields: 1 sign bit, `exponent_bits`, the rest mantissa.
double decode_fields(uint16_t pattern, int exponent_bits) {
  const int mantissa_bits = 15 - exponent_bits, bias = (1 << (exponent_bits - 1)) - 1;
  const int exponent = (pattern >> mantissa_bits) & ((1 << exponent_bits) - 1);
  const int mantissa = pattern & ((1 << mantissa_bits) - 1);
  const double sign = (pattern & 0x8000) ? -1.0 : 1.0;
  if (exponent == (1 << exponent_bits) - 1)
    return mantissa == 0 ? sign * std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  if (exponent == 0) return sign * std::ldexp(mantissa, 1 - bias - mantissa_bits);  // subnormal
  return sign * std::ldexp((1 << mantissa_bits) + mantissa, exponent - bias - mantissa_bits);
}

TEST(SafetensorsDtype, EveryBf16AndF16PatternWidensExactly) {
  for (uint32_t p = 0; p <= 0xffff; ++p) {
    const auto pattern = static_cast<uint16_t>(p);
    for (const auto& [dtype, exponent_bits] : {std::pair{SafetensorsDtype::BF16, 8}, std::pair{SafetensorsDtype::F16, 5}}) {
      float got;
      to_float(dtype, &pattern, &got, 1);
      const double want = decode_fields(pattern, exponent_bits);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << std::hex << p;
      } else {
        EXPECT_EQ(bits(got), bits(static_cast<float>(want))) << std::hex << p;  // every such value is a float
        EXPECT_EQ(static_cast<double>(got), want) << std::hex << p;
      }
    }
  }
}

TEST(SafetensorsDtype, Bf16RoundsToNearestEven) {
  // Every finite or infinite bfloat16 survives the round trip through float.
  for (uint32_t p = 0; p <= 0xffff; ++p) {
    if (std::isnan(bfloat16_to_float(static_cast<uint16_t>(p)))) continue;
    EXPECT_EQ(float_to_bfloat16(bfloat16_to_float(static_cast<uint16_t>(p))), p) << std::hex << p;
  }
  // Ties between 1 (0x3F80) and 1 + 2^-7 (0x3F81) go to the even pattern, and so on.
  EXPECT_EQ(float_to_bfloat16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);
  EXPECT_EQ(float_to_bfloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3F82);
  EXPECT_EQ(float_to_bfloat16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 0x3F81);
  EXPECT_EQ(float_to_bfloat16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_bfloat16(std::numeric_limits<float>::max()), 0x7F80);  // above bf16's max + half an ulp
  EXPECT_EQ(float_to_bfloat16(-std::numeric_limits<float>::infinity()), 0xFF80);
  // A signalling NaN whose payload sits only in the dropped bits must not become infinity.
  EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(from_bits(0x7F800001u)))));
  // Random floats: the nearer of the two neighbouring patterns (the even one on a tie), found in double.
  RandomState rng(11);
  for (int k = 0; k < 200000; ++k) {
    const float f = from_bits(static_cast<uint32_t>(rng.random_interval(0xffffffffu)));
    if (!std::isfinite(f) || std::fabs(f) >= 3.3e38f) continue;  // the upper neighbour may be infinite
    const auto low = static_cast<uint16_t>(bits(f) >> 16), high = static_cast<uint16_t>(low + 1);
    const double dl = std::fabs(static_cast<double>(f) - bfloat16_to_float(low));
    const double dh = std::fabs(static_cast<double>(f) - bfloat16_to_float(high));
    const uint16_t want = dl < dh ? low : dh < dl ? high : (low % 2 == 0 ? low : high);
    ASSERT_EQ(float_to_bfloat16(f), want) << std::hex << bits(f);
  }
}

TEST(SafetensorsDtype, NamesSizesAndUnsupportedConversions) {
  ASSERT_NE(find_safetensors_dtype("BF16"), nullptr);
  EXPECT_EQ(find_safetensors_dtype("BF16")->bytes, 2u);
  EXPECT_EQ(find_safetensors_dtype("F8_E4M3")->bytes, 1u);
  EXPECT_EQ(find_safetensors_dtype("U64")->bytes, 8u);
  EXPECT_EQ(find_safetensors_dtype("bf16"), nullptr);
  EXPECT_EQ(find_safetensors_dtype("F128"), nullptr);
  const int64_t x = 3;
  float out;
  EXPECT_THROW(to_float(SafetensorsDtype::I64, &x, &out, 1), InputError);
  EXPECT_THROW(from_float(SafetensorsDtype::U8, &out, &out, 1), InputError);
}

// ---- one file ----

SafetensorsWriter sample_writer() {
  SafetensorsWriter w;
  w.set_metadata("format", "pt");
  w.add_tensor("half", {5}, {0.1f, -2.0f, 65504.0f, 1e-7f, 3.14159f}, SafetensorsDtype::F16);
  w.add_tensor("model.weight", {2, 3}, {1.5f, -0.25f, 3e-30f, 7.0f, -1e30f, 0.1f}, SafetensorsDtype::F32);
  w.add_tensor("brain", {3, 1}, {0.1f, -3.39e38f, 1.0f / 3.0f}, SafetensorsDtype::BF16);
  w.add_tensor("scalar", {}, {42.0f}, SafetensorsDtype::F32);
  w.add_tensor("empty", {0, 5}, {}, SafetensorsDtype::BF16);
  return w;
}

TEST(Safetensors, RoundTripOfEveryWritableDtype) {
  const std::string path = write_bytes(temp_path("round.safetensors"), sample_writer().serialize());
  const SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.data_offset() % 8, 0u);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  ASSERT_EQ(f.tensors().size(), 5u);
  // F32 first (largest elements), then the 2-byte dtypes in the order added: every tensor aligned.
  EXPECT_EQ(f.tensors()[0].name, "model.weight");
  for (const auto& t : f.tensors())
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % safetensors_dtype_traits(t.dtype).bytes, 0u) << t.name;

  const auto& w = f.tensor("model.weight");
  EXPECT_EQ(w.dtype, SafetensorsDtype::F32);
  EXPECT_EQ(w.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(f.to_float(w), (std::vector<float>{1.5f, -0.25f, 3e-30f, 7.0f, -1e30f, 0.1f}));
  std::vector<float> half_want;
  for (float v : {0.1f, -2.0f, 65504.0f, 1e-7f, 3.14159f}) half_want.push_back(half_to_float(float_to_half(v)));
  EXPECT_EQ(f.to_float(f.tensor("half")), half_want);
  EXPECT_EQ(half_want[0], 0.0999755859375f);  // 0x2E66
  EXPECT_EQ(half_want[3], std::ldexp(2.0f, -24));  // nearest subnormal to 1e-7: 2 units of 2^-24
  const std::vector<float> brain = f.to_float(f.tensor("brain"));
  EXPECT_EQ(brain[0], 0.10009765625f);      // 0x3DCD
  EXPECT_EQ(brain[1], -3.3895313892515355e38f);  // -bf16 max (0xFF7F): within half an ulp of it
  EXPECT_EQ(brain[2], 0.333984375f);        // 0x3EAB
  EXPECT_EQ(f.tensor("scalar").element_count(), 1u);
  EXPECT_EQ(f.to_float(f.tensor("scalar")), std::vector<float>{42.0f});
  EXPECT_EQ(f.tensor("empty").byte_count(), 0u);
  EXPECT_EQ(f.find_tensor("absent"), nullptr);
  try {
    f.tensor("absent");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST(Safetensors, WriterRejectsBadTensors) {
  SafetensorsWriter w;
  EXPECT_THROW(w.add_tensor("x", {2, 2}, {1, 2, 3}, SafetensorsDtype::F32), InputError);
  EXPECT_THROW(w.add_tensor("__metadata__", {1}, {1}, SafetensorsDtype::F32), InputError);
  EXPECT_THROW(w.add_tensor("x", {1}, {1}, SafetensorsDtype::I32), InputError);
  w.add_tensor("x", {1}, {1}, SafetensorsDtype::F32);
  EXPECT_THROW(w.add_tensor("x", {1}, {1}, SafetensorsDtype::F32), InputError);
}

/// A file from a header text and a data buffer (the header length is the text's length).
std::string raw(const std::string& header, const std::string& buffer) {
  std::string out(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + buffer;
}

void expect_input_error(const std::string& bytes, const std::string& must_mention) {
  const std::string path = write_bytes(temp_path("malformed.safetensors"), bytes);
  try {
    const SafetensorsFile f = SafetensorsFile::open(path);
    ADD_FAILURE() << must_mention << ": parsed without error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(must_mention), std::string::npos) << "expected '" << must_mention << "' in: " << what;
  }
  std::filesystem::remove(path);
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, const std::string& offsets) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
}

TEST(Safetensors, MalformedHeaders) {
  const std::string four(4, '\0'), eight(8, '\0');
  EXPECT_NO_THROW(SafetensorsFile::open(write_bytes(temp_path("ok.safetensors"), raw("{" + entry("a", "F32", "[1]", "[0,4]") + "}  ", four))));
  EXPECT_NO_THROW(SafetensorsFile::open(write_bytes(temp_path("ok.safetensors"), raw("{}", ""))));
  std::filesystem::remove(temp_path("ok.safetensors"));

  expect_input_error(std::string(5, '\0'), "needs 8 bytes");
  std::string huge(8, '\0');
  const uint64_t big = 1ull << 40;
  std::memcpy(huge.data(), &big, 8);
  expect_input_error(huge + "{}", "header length 1099511627776");
  expect_input_error(raw("{", ""), "header length 1");
  std::string past = raw("{}", "");
  past[0] = 3;  // claims one byte more than the file has
  expect_input_error(past, "header length 3");
  expect_input_error(raw("[]", ""), "does not start with '{'");
  expect_input_error(raw("{\"a\":", ""), "invalid JSON");
  expect_input_error(raw(std::string("{}\0\0", 4), ""), "invalid JSON");
  expect_input_error(raw("{\"\xff\":{}}", ""), "invalid JSON");
  expect_input_error(raw("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("a", "F32", "[1]", "[4,8]") + "}", eight),
                     "duplicate key 'a'");
  expect_input_error(raw("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", four),
                     "duplicate key 'dtype'");
  expect_input_error(raw("{" + entry("a", "F128", "[1]", "[0,4]") + "}", four), "tensor 'a': dtype: unknown dtype \"F128\"");
  expect_input_error(raw("{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", four), "unknown dtype 5");
  expect_input_error(raw("{" + entry("a", "F32", "[-1]", "[0,4]") + "}", four), "tensor 'a': shape: expected a non-negative integer");
  expect_input_error(raw("{" + entry("a", "F32", "[1.5]", "[0,4]") + "}", four), "shape: expected a non-negative integer");
  expect_input_error(raw("{" + entry("a", "F32", "1", "[0,4]") + "}", four), "shape: expected an array");
  expect_input_error(raw("{" + entry("a", "F32", "[1]", "[0,4,8]") + "}", four), "data_offsets: expected an array of 2");
  expect_input_error(raw("{" + entry("a", "F32", "[0]", "[4,0]") + "}", four), "begin 4 is after end 0");
  expect_input_error(raw("{" + entry("a", "F32", "[2]", "[0,4]") + "}", four), "need 8");
  expect_input_error(raw("{" + entry("a", "F32", "[1099511627776,1099511627776]", "[0,4]") + "}", four), "shape: size overflows");
  expect_input_error(raw("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[1]", "[4,8]") + "}", eight),
                     "tensor 'b': data_offsets: begins at 4, expected 8 (overlaps");
  expect_input_error(raw("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[8,12]") + "}", eight + four),
                     "tensor 'b': data_offsets: begins at 8, expected 4 (a hole");
  expect_input_error(raw("{" + entry("a", "F32", "[1]", "[0,4]") + "}", eight), "trailing bytes");
  expect_input_error(raw("{" + entry("a", "F32", "[2]", "[0,8]") + "}", four), "tensor 'a': data_offsets: end 8 runs past");
  expect_input_error(raw("{\"__metadata__\":{\"k\":1}}", ""), "value of 'k' is not a string");
  expect_input_error(raw("{\"__metadata__\":[]}", ""), "__metadata__: expected an object");
  expect_input_error(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", four), "unknown field 'x'");
  expect_input_error(raw("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", four), "missing field 'shape'");
  expect_input_error(raw("{\"a\":[]}", ""), "tensor 'a': expected an object");
  expect_input_error(raw("{" + entry("a", "F32", "[[[1]]]", "[0,4]") + "}", four), "nested deeper");
  expect_input_error(raw("{" + entry("", "F32", "[1]", "[0,4]") + "}", four), "empty name");
}

TEST(Safetensors, UnconvertibleDtypeIsAnErrorOnUse) {
  const std::string path =
      write_bytes(temp_path("i64.safetensors"), raw("{" + entry("ids", "I64", "[1]", "[0,8]") + "}", std::string(8, '\0')));
  const SafetensorsFile f = SafetensorsFile::open(path);
  try {
    f.to_float(f.tensor("ids"));
    ADD_FAILURE();
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("tensor 'ids': dtype I64"), std::string::npos) << what;
  }
  std::filesystem::remove(path);
}

TEST(Safetensors, EveryTruncationIsAnInputError) {
  const std::string bytes = sample_writer().serialize();
  const std::string path = temp_path("truncated.safetensors");
  for (size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(path, bytes.substr(0, n));
    EXPECT_THROW(SafetensorsFile::open(path), InputError) << "prefix of " << n << " bytes";
  }
  write_bytes(path, bytes + '\0');
  EXPECT_THROW(SafetensorsFile::open(path), InputError) << "one byte appended";
  std::filesystem::remove(path);
}

TEST(Safetensors, RandomCorruptionNeverCrashes) {
  const std::string bytes = sample_writer().serialize();
  RandomState rng(2025);
  const std::string path = temp_path("corrupt.safetensors");
  size_t parsed = 0, rejected = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::string mutated = bytes;
    const size_t changes = 1 + rng.random_interval(3);
    for (size_t k = 0; k < changes; ++k) {
      // Half the changes hit the length and header, where the structure lives.
      const size_t limit = rng.random_interval(1) ? mutated.size() - 1 : std::min<size_t>(mutated.size() - 1, 200);
      mutated[rng.random_interval(limit)] = static_cast<char>(rng.random_interval(255));
    }
    write_bytes(path, mutated);
    try {
      const SafetensorsFile f = SafetensorsFile::open(path);
      for (const auto& t : f.tensors())
        if (is_float_convertible(t.dtype)) f.to_float(t);
      ++parsed;
    } catch (const InputError&) {
      ++rejected;
    }
  }
  std::filesystem::remove(path);
  EXPECT_GT(parsed, 100u);
  EXPECT_GT(rejected, 100u);
}

// ---- sharded checkpoints ----

std::vector<float> ramp(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

class ShardedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("sharded");
    std::filesystem::remove_all(dir_);
    // Five 64-byte tensors and one of 256 bytes: at most 150 bytes per shard gives
    // {t0, t1} {t2, t3} {big} {t4}.
    for (int i = 0; i < 4; ++i) writer_.add_tensor("t" + std::to_string(i), {16}, ramp(16, 100.0f * i), SafetensorsDtype::F32);
    writer_.add_tensor("big", {8, 16}, ramp(128, -5.0f), SafetensorsDtype::BF16);
    writer_.add_tensor("t4", {4, 4}, ramp(16, 400.0f), SafetensorsDtype::F32);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string index_path() const { return dir_ + "/model.safetensors.index.json"; }
  nlohmann::json read_index() const {
    std::ifstream in(index_path());
    return nlohmann::json::parse(in);
  }
  void write_index(const nlohmann::json& index) const { write_bytes(index_path(), index.dump()); }

  void expect_error(const std::string& must_mention) const {
    try {
      SafetensorsCheckpoint::open(dir_);
      ADD_FAILURE() << must_mention << ": opened without error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(must_mention), std::string::npos) << e.what();
    }
  }

  std::string dir_;
  SafetensorsWriter writer_;
};

TEST_F(ShardedCheckpoint, ShardsAndIndexRoundTrip) {
  ASSERT_EQ(writer_.write_sharded(dir_, 150), 4u);
  const nlohmann::json index = read_index();
  EXPECT_EQ(index["metadata"]["total_size"], 5 * 64 + 256);
  EXPECT_EQ(index["weight_map"]["t1"], "model-00001-of-00004.safetensors");
  EXPECT_EQ(index["weight_map"]["big"], "model-00003-of-00004.safetensors");
  EXPECT_EQ(index["weight_map"]["t4"], "model-00004-of-00004.safetensors");
  for (const std::string& path : {dir_, index_path()}) {
    const SafetensorsCheckpoint c = SafetensorsCheckpoint::open(path);
    EXPECT_EQ(c.path(), index_path());
    EXPECT_EQ(c.files().size(), 4u);
    EXPECT_EQ(c.tensor_names(), (std::vector<std::string>{"big", "t0", "t1", "t2", "t3", "t4"}));
    for (int i = 0; i < 4; ++i) {
      const std::string name = "t" + std::to_string(i);
      EXPECT_EQ(c.file_of(name).to_float(c.tensor(name)), ramp(16, 100.0f * i));
    }
    EXPECT_EQ(c.file_of("big").to_float(c.tensor("big")), ramp(128, -5.0f));  // small integers are exact in bf16
    EXPECT_EQ(c.tensor("t4").shape, (std::vector<uint64_t>{4, 4}));
    EXPECT_THROW(c.tensor("t5"), InputError);
  }
}

TEST_F(ShardedCheckpoint, SingleFileDirectory) {
  std::filesystem::create_directories(dir_);
  writer_.write(dir_ + "/model.safetensors");
  const SafetensorsCheckpoint c = SafetensorsCheckpoint::open(dir_);
  EXPECT_EQ(c.files().size(), 1u);
  EXPECT_EQ(c.tensor_names().size(), 6u);
  EXPECT_EQ(c.directory(), dir_);
}

TEST_F(ShardedCheckpoint, InconsistentIndexes) {
  std::filesystem::create_directories(dir_);
  expect_error("holds neither");
  writer_.write_sharded(dir_, 150);
  const nlohmann::json good = read_index();

  nlohmann::json index = good;
  index["weight_map"]["ghost"] = "model-00002-of-00004.safetensors";
  write_index(index);
  expect_error("weight_map: tensor 'ghost' is not in");

  index = good;
  index["weight_map"].erase("t1");  // shard 1 holds t1, which nothing lists
  write_index(index);
  expect_error("tensor 't1' is not listed");

  index = good;
  index["weight_map"]["t0"] = "../model-00001-of-00004.safetensors";
  write_index(index);
  expect_error("is not a file name beside the index");

  index = good;
  index["weight_map"]["t0"] = 7;
  write_index(index);
  expect_error("not a file name");

  index = good;
  index["weight_map"]["t9"] = "model-00009-of-00009.safetensors";
  write_index(index);
  expect_error("cannot open");

  write_index(nlohmann::json{{"metadata", nlohmann::json::object()}});
  expect_error("weight_map");
  write_index(nlohmann::json{{"weight_map", nlohmann::json::object()}});
  expect_error("weight_map is empty");
  write_bytes(index_path(), "{\"weight_map\": ");
  expect_error("invalid JSON");
}

}  // namespace
}  // namespace oh::lm
