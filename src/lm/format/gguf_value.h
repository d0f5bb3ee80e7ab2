#pragma once
// One GGUF metadata value: the 13 value types of the format, arrays nested to any depth.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace oh::lm {

enum class GgufType : uint32_t {
  Uint8 = 0, Int8 = 1, Uint16 = 2, Int16 = 3, Uint32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
  String = 8, Array = 9, Uint64 = 10, Int64 = 11, Float64 = 12,
};
constexpr uint32_t kGgufTypeCount = 13;

const char* gguf_type_name(GgufType type);

struct GgufValue;
struct GgufArray {
  GgufType element_type = GgufType::Uint8;
  std::vector<GgufValue> values;
};

/// The variant's index is the GGUF type code, so `type()` needs no separate field.
struct GgufValue {
  std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool, std::string, GgufArray,
               uint64_t, int64_t, double>
      data;

  GgufType type() const { return static_cast<GgufType>(data.index()); }
  bool is_integer() const;
  /// Integer types as int64 (uint64 above INT64_MAX throws InputError naming `what`).
  int64_t as_int(const std::string& what) const;
  /// Integer and float types as double.
  double as_double(const std::string& what) const;
  const std::string& as_string(const std::string& what) const;
  bool as_bool(const std::string& what) const;
  const GgufArray& as_array(const std::string& what) const;

  /// Scalars as JSON numbers/strings/booleans; arrays longer than `max_array` are summarised.
  nlohmann::json to_json(size_t max_array) const;
};

}  // namespace oh::lm
