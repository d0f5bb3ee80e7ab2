#include "lm/format/safetensors_dtype.h"

#include <cassert>
#include <cstring>

#include "core/error.h"
#include "lm/format/ggml_types.h"

namespace oh::lm {
namespace {

constexpr SafetensorsDtypeTraits kDtypes[] = {
    {SafetensorsDtype::Bool, "BOOL", 1},       {SafetensorsDtype::U8, "U8", 1},   {SafetensorsDtype::I8, "I8", 1},
    {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1}, {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1},
    {SafetensorsDtype::I16, "I16", 2},         {SafetensorsDtype::U16, "U16", 2}, {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2},       {SafetensorsDtype::I32, "I32", 4}, {SafetensorsDtype::U32, "U32", 4},
    {SafetensorsDtype::F32, "F32", 4},         {SafetensorsDtype::F64, "F64", 8}, {SafetensorsDtype::I64, "I64", 8},
    {SafetensorsDtype::U64, "U64", 8},
};

[[noreturn]] void unsupported(SafetensorsDtype dtype, const char* direction) {
  throw InputError(std::string("conversion ") + direction + " safetensors dtype " + safetensors_dtype_traits(dtype).name +
                   " is not supported (F32, F16, BF16)");
}

}  // namespace

const SafetensorsDtypeTraits* find_safetensors_dtype(const std::string& name) {
  for (const auto& t : kDtypes)
    if (name == t.name) return &t;
  return nullptr;
}

const SafetensorsDtypeTraits& safetensors_dtype_traits(SafetensorsDtype dtype) {
  for (const auto& t : kDtypes)
    if (t.dtype == dtype) return t;
  assert(false && "every dtype has traits");
  return kDtypes[0];
}

float bfloat16_to_float(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t float_to_bfloat16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);  // keep NaN a NaN
  // Adding 0x7fff plus the lowest kept bit rounds the dropped half to nearest, ties to even; a carry
  // out of the mantissa correctly bumps the exponent (up to infinity).
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

bool is_float_convertible(SafetensorsDtype dtype) {
  return dtype == SafetensorsDtype::F32 || dtype == SafetensorsDtype::F16 || dtype == SafetensorsDtype::BF16;
}

void to_float(SafetensorsDtype dtype, const void* src, float* dst, size_t n) {
  if (n == 0) return;  // an empty tensor's pointers may be null, which memcpy must never see
  const auto* bytes = static_cast<const uint8_t*>(src);
  uint16_t h;
  switch (dtype) {
    case SafetensorsDtype::F32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case SafetensorsDtype::F16:
      for (size_t i = 0; i < n; ++i) {
        std::memcpy(&h, bytes + 2 * i, 2);
        dst[i] = half_to_float(h);
      }
      return;
    case SafetensorsDtype::BF16:
      for (size_t i = 0; i < n; ++i) {
        std::memcpy(&h, bytes + 2 * i, 2);
        dst[i] = bfloat16_to_float(h);
      }
      return;
    default:
      unsupported(dtype, "from");
  }
}

void from_float(SafetensorsDtype dtype, const float* src, void* dst, size_t n) {
  if (n == 0) return;  // see to_float
  auto* bytes = static_cast<uint8_t*>(dst);
  uint16_t h;
  switch (dtype) {
    case SafetensorsDtype::F32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case SafetensorsDtype::F16:
      for (size_t i = 0; i < n; ++i) {
        h = float_to_half(src[i]);
        std::memcpy(bytes + 2 * i, &h, 2);
      }
      return;
    case SafetensorsDtype::BF16:
      for (size_t i = 0; i < n; ++i) {
        h = float_to_bfloat16(src[i]);
        std::memcpy(bytes + 2 * i, &h, 2);
      }
      return;
    default:
      unsupported(dtype, "to");
  }
}

}  // namespace oh::lm
