#include "lm/format/gguf_value.h"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::lm {

const char* gguf_type_name(GgufType type) {
  static const char* const names[kGgufTypeCount] = {"uint8",  "int8",    "uint16", "int16", "uint32",
                                                    "int32",  "float32", "bool",   "string", "array",
                                                    "uint64", "int64",   "float64"};
  const auto i = static_cast<uint32_t>(type);
  return i < kGgufTypeCount ? names[i] : "unknown";
}

namespace {

[[noreturn]] void wrong_type(const std::string& what, const char* expected, GgufType actual) {
  throw InputError(what + ": expected " + expected + ", found " + gguf_type_name(actual));
}

}  // namespace

bool GgufValue::is_integer() const {
  switch (type()) {
    case GgufType::Uint8: case GgufType::Int8: case GgufType::Uint16: case GgufType::Int16:
    case GgufType::Uint32: case GgufType::Int32: case GgufType::Uint64: case GgufType::Int64:
      return true;
    default:
      return false;
  }
}

int64_t GgufValue::as_int(const std::string& what) const {
  if (!is_integer()) wrong_type(what, "an integer", type());
  if (const auto* u = std::get_if<uint64_t>(&data)) {
    if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      throw InputError(what + ": value " + std::to_string(*u) + " out of range");
    return static_cast<int64_t>(*u);
  }
  return std::visit(
      [](const auto& v) -> int64_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) return static_cast<int64_t>(v);
        return 0;  // unreachable: is_integer() checked the alternative
      },
      data);
}

double GgufValue::as_double(const std::string& what) const {
  if (const auto* f = std::get_if<float>(&data)) return *f;
  if (const auto* d = std::get_if<double>(&data)) return *d;
  if (is_integer()) return static_cast<double>(as_int(what));
  wrong_type(what, "a number", type());
}

const std::string& GgufValue::as_string(const std::string& what) const {
  if (const auto* s = std::get_if<std::string>(&data)) return *s;
  wrong_type(what, "a string", type());
}

bool GgufValue::as_bool(const std::string& what) const {
  if (const auto* b = std::get_if<bool>(&data)) return *b;
  wrong_type(what, "a bool", type());
}

const GgufArray& GgufValue::as_array(const std::string& what) const {
  if (const auto* a = std::get_if<GgufArray>(&data)) return *a;
  wrong_type(what, "an array", type());
}

nlohmann::json GgufValue::to_json(size_t max_array) const {
  if (const auto* a = std::get_if<GgufArray>(&data)) {
    if (a->values.size() > max_array)
      return {{"type", std::string("array[") + gguf_type_name(a->element_type) + "]"}, {"length", a->values.size()}};
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : a->values) out.push_back(v.to_json(max_array));
    return out;
  }
  if (const auto* s = std::get_if<std::string>(&data)) return *s;
  if (const auto* b = std::get_if<bool>(&data)) return *b;
  if (const auto* u = std::get_if<uint64_t>(&data)) return *u;
  if (is_integer()) return as_int("value");
  if (const auto* f = std::get_if<float>(&data)) {
    // The shortest decimal that round-trips the float (1e-05, not 9.999999747378752e-06).
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, *f).ptr;
    *end = '\0';
    return std::strtod(buffer, nullptr);
  }
  return as_double("value");
}

}  // namespace oh::lm
