#include "lm/format/ggml_types.h"

#include <cassert>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "lm/format/ggml_quants.h"
#include "lm/format/safetensors_dtype.h"

namespace oh::lm {
namespace {

constexpr GgmlTypeTraits kTypes[] = {
    {GgmlType::F32, "F32", 1, 4},       {GgmlType::F16, "F16", 1, 2},       {GgmlType::Q4_0, "Q4_0", 32, 18},
    {GgmlType::Q4_1, "Q4_1", 32, 20},   {GgmlType::Q5_0, "Q5_0", 32, 22},   {GgmlType::Q5_1, "Q5_1", 32, 24},
    {GgmlType::Q8_0, "Q8_0", 32, 34},   {GgmlType::Q8_1, "Q8_1", 32, 36},   {GgmlType::Q2_K, "Q2_K", 256, 84},
    {GgmlType::Q3_K, "Q3_K", 256, 110}, {GgmlType::Q4_K, "Q4_K", 256, 144}, {GgmlType::Q5_K, "Q5_K", 256, 176},
    {GgmlType::Q6_K, "Q6_K", 256, 210}, {GgmlType::Q8_K, "Q8_K", 256, 292}, {GgmlType::I8, "I8", 1, 1},
    {GgmlType::I16, "I16", 1, 2},       {GgmlType::I32, "I32", 1, 4},       {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},       {GgmlType::BF16, "BF16", 1, 2},
};

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

const GgmlTypeTraits* find_ggml_type(uint32_t id) {
  for (const auto& t : kTypes)
    if (static_cast<uint32_t>(t.type) == id) return &t;
  return nullptr;
}

const GgmlTypeTraits& ggml_type_traits(GgmlType type) {
  const auto* t = find_ggml_type(static_cast<uint32_t>(type));
  assert(t != nullptr);
  return *t;
}

GgmlType ggml_type_from_name(const std::string& name) {
  for (const auto& t : kTypes)
    if (name == t.name) return t.type;
  throw InputError("unknown ggml type '" + name + "' (F32, F16, Q8_0, ...)");
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return bits_float(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
  if (mantissa == 0) return bits_float(sign);
  // Subnormal half: value = mantissa * 2^-24, exact in float.
  const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
  return sign ? -magnitude : magnitude;
}

uint16_t float_to_half(float f) {
  const uint32_t u = float_bits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t abs = u & 0x7fffffffu;
  if (abs > 0x7f800000u) return sign | 0x7e00u;           // NaN (quiet)
  if (abs >= 0x477ff000u) return sign | 0x7c00u;          // rounds to >= 65520: infinity
  if (abs < 0x38800000u) {                                // below the smallest normal half (2^-14)
    // Subnormal or zero: scale to units of 2^-24 and round to nearest even in float arithmetic,
    // which is exact because the scaled value has at most 24 significant bits.
    const float scaled = bits_float(abs) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  // Normal: drop 13 mantissa bits with round to nearest, ties to even.
  const uint32_t rebased = abs - (112u << 23);
  const uint32_t round_bit = 1u << 12, lower = rebased & 0x1fffu;
  uint32_t half = rebased >> 13;
  if (lower > round_bit || (lower == round_bit && (half & 1u))) ++half;
  return sign | static_cast<uint16_t>(half);
}

bool is_convertible(GgmlType type) {
  switch (type) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q8_0: case GgmlType::Q4_0:
    case GgmlType::Q4_K: case GgmlType::Q6_K:
      return true;
    default:
      return false;
  }
}

const char* convertible_type_names() { return "F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K"; }

void dequantize(GgmlType type, const void* src, float* dst, size_t n) {
  if (n == 0) return;  // an empty tensor's pointers may be null, which memcpy must never see
  const auto* bytes = static_cast<const uint8_t*>(src);
  switch (type) {
    case GgmlType::F32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case GgmlType::F16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + 2 * i, 2);
        dst[i] = half_to_float(h);
      }
      return;
    case GgmlType::Q8_0:
      assert(n % kQ8_0BlockElements == 0);
      for (size_t b = 0; b < n / kQ8_0BlockElements; ++b) {
        const uint8_t* block = bytes + b * kQ8_0BlockBytes;
        uint16_t h;
        std::memcpy(&h, block, 2);
        const float d = half_to_float(h);
        for (size_t j = 0; j < kQ8_0BlockElements; ++j)
          dst[b * kQ8_0BlockElements + j] = d * static_cast<float>(static_cast<int8_t>(block[2 + j]));
      }
      return;
    case GgmlType::BF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, bytes + 2 * i, 2);
        dst[i] = bfloat16_to_float(b);
      }
      return;
    case GgmlType::Q4_0:
      return dequantize_q4_0(bytes, dst, n);
    case GgmlType::Q4_K:
      return dequantize_q4_k(bytes, dst, n);
    case GgmlType::Q6_K:
      return dequantize_q6_k(bytes, dst, n);
    default:
      throw InputError(std::string("conversion from ggml type ") + ggml_type_traits(type).name +
                       " is not supported (" + convertible_type_names() + ")");
  }
}

void quantize(GgmlType type, const float* src, void* dst, size_t n) {
  if (n == 0) return;  // see dequantize
  auto* bytes = static_cast<uint8_t*>(dst);
  switch (type) {
    case GgmlType::F32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case GgmlType::F16:
      for (size_t i = 0; i < n; ++i) {
        const uint16_t h = float_to_half(src[i]);
        std::memcpy(bytes + 2 * i, &h, 2);
      }
      return;
    case GgmlType::Q8_0:
      if (n % kQ8_0BlockElements != 0) throw InputError("Q8_0 needs a multiple of 32 values per row");
      for (size_t b = 0; b < n / kQ8_0BlockElements; ++b) {
        const float* x = src + b * kQ8_0BlockElements;
        float amax = 0.0f;
        for (size_t j = 0; j < kQ8_0BlockElements; ++j) amax = std::fmax(amax, std::fabs(x[j]));
        // ggml's reference: the scale maps the largest magnitude to 127, values round half away from 0.
        const float d = amax / 127.0f, inverse = d != 0.0f ? 1.0f / d : 0.0f;
        uint8_t* block = bytes + b * kQ8_0BlockBytes;
        const uint16_t h = float_to_half(d);
        std::memcpy(block, &h, 2);
        for (size_t j = 0; j < kQ8_0BlockElements; ++j)
          block[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::round(x[j] * inverse)));
      }
      return;
    case GgmlType::BF16:
      for (size_t i = 0; i < n; ++i) {
        const uint16_t b = float_to_bfloat16(src[i]);
        std::memcpy(bytes + 2 * i, &b, 2);
      }
      return;
    case GgmlType::Q4_0:
      return quantize_q4_0(src, bytes, n);
    case GgmlType::Q4_K:
      return quantize_q4_k(src, bytes, n);
    case GgmlType::Q6_K:
      return quantize_q6_k(src, bytes, n);
    default:
      throw InputError(std::string("conversion to ggml type ") + ggml_type_traits(type).name +
                       " is not supported (" + convertible_type_names() + ")");
  }
}

}  // namespace oh::lm
