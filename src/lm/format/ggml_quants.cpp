#include "lm/format/ggml_quants.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "lm/format/ggml_types.h"

namespace oh::lm {
namespace {

float read_half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}

/// Stores `value` as fp16 and returns the float it reads back as, so codes are chosen against the
/// scale a reader will use.
float write_half(uint8_t* p, float value) {
  const uint16_t h = float_to_half(value);
  std::memcpy(p, &h, 2);
  return half_to_float(h);
}

int clamped_round(float x, int lowest, int highest) {
  return std::clamp(static_cast<int>(std::lround(x)), lowest, highest);
}

/// Q4_K's 6-bit scale and min of sub-block j (0..7) in its 12 packed bytes: j < 4 in the low six bits
/// of bytes j and j + 4; j ≥ 4 split into a low nibble in byte j + 4 and the top two bits of bytes
/// j - 4 (scale) and j (min).
void unpack_scale_min(const uint8_t* packed, int j, int& scale, int& min) {
  if (j < 4) {
    scale = packed[j] & 63;
    min = packed[j + 4] & 63;
  } else {
    scale = (packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4);
    min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

void pack_scale_min(uint8_t* packed, const int scale[8], const int min[8]) {
  for (int j = 0; j < 4; ++j) {
    packed[j] = static_cast<uint8_t>(scale[j] | ((scale[j + 4] >> 4) << 6));
    packed[j + 4] = static_cast<uint8_t>(min[j] | ((min[j + 4] >> 4) << 6));
    packed[j + 8] = static_cast<uint8_t>((scale[j + 4] & 0xF) | ((min[j + 4] & 0xF) << 4));
  }
}

}  // namespace

void dequantize_q4_0(const uint8_t* src, float* dst, size_t n) {
  assert(n % kQ4_0BlockElements == 0);
  for (size_t b = 0; b < n / kQ4_0BlockElements; ++b, src += kQ4_0BlockBytes, dst += kQ4_0BlockElements) {
    const float d = read_half(src);
    // Byte j holds value j in its low nibble and value j + 16 in its high one, both offset by 8.
    for (size_t j = 0; j < 16; ++j) {
      dst[j] = static_cast<float>((src[2 + j] & 0xF) - 8) * d;
      dst[j + 16] = static_cast<float>((src[2 + j] >> 4) - 8) * d;
    }
  }
}

void quantize_q4_0(const float* src, uint8_t* dst, size_t n) {
  assert(n % kQ4_0BlockElements == 0);
  for (size_t b = 0; b < n / kQ4_0BlockElements; ++b, src += kQ4_0BlockElements, dst += kQ4_0BlockBytes) {
    // The value of largest magnitude maps to code 0 (-8 · d), so the other end reaches +7 · |d|.
    float extreme = 0;
    for (size_t j = 0; j < kQ4_0BlockElements; ++j)
      if (std::fabs(src[j]) > std::fabs(extreme)) extreme = src[j];
    const float d = write_half(dst, extreme / -8.0f);
    const float inverse = d != 0 ? 1.0f / d : 0.0f;
    for (size_t j = 0; j < 16; ++j) {
      const int low = clamped_round(src[j] * inverse, -8, 7) + 8, high = clamped_round(src[j + 16] * inverse, -8, 7) + 8;
      dst[2 + j] = static_cast<uint8_t>(low | (high << 4));
    }
  }
}

void dequantize_q4_k(const uint8_t* src, float* dst, size_t n) {
  assert(n % kSuperBlockElements == 0);
  for (size_t b = 0; b < n / kSuperBlockElements; ++b, src += kQ4_KBlockBytes) {
    const float d = read_half(src), dmin = read_half(src + 2);
    const uint8_t* packed = src + 4;
    const uint8_t* codes = src + 16;
    // 32 code bytes per pair of sub-blocks: the low nibbles are sub-block 2i, the high ones 2i + 1.
    for (int pair = 0; pair < 4; ++pair, codes += 32) {
      int scale, min;
      unpack_scale_min(packed, 2 * pair, scale, min);
      const float d_low = d * static_cast<float>(scale), m_low = dmin * static_cast<float>(min);
      unpack_scale_min(packed, 2 * pair + 1, scale, min);
      const float d_high = d * static_cast<float>(scale), m_high = dmin * static_cast<float>(min);
      for (int l = 0; l < 32; ++l) *dst++ = d_low * static_cast<float>(codes[l] & 0xF) - m_low;
      for (int l = 0; l < 32; ++l) *dst++ = d_high * static_cast<float>(codes[l] >> 4) - m_high;
    }
  }
}

void quantize_q4_k(const float* src, uint8_t* dst, size_t n) {
  assert(n % kSuperBlockElements == 0);
  for (size_t b = 0; b < n / kSuperBlockElements; ++b, src += kSuperBlockElements, dst += kQ4_KBlockBytes) {
    // Each sub-block of 32 spans [-offset, -offset + 15 · step] with offset = max(0, -min) ≥ 0 (the
    // format stores mins as non-negative amounts subtracted).
    float step[8], offset[8];
    for (int s = 0; s < 8; ++s) {
      const float* x = src + 32 * s;
      const float lo = std::min(0.0f, *std::min_element(x, x + 32)), hi = *std::max_element(x, x + 32);
      step[s] = (hi - lo) / 15.0f;
      offset[s] = -lo;
    }
    const float d = write_half(dst, *std::max_element(step, step + 8) / 63.0f);
    const float dmin = write_half(dst + 2, *std::max_element(offset, offset + 8) / 63.0f);
    int scale[8], min[8];
    for (int s = 0; s < 8; ++s) {
      scale[s] = d > 0 ? clamped_round(step[s] / d, 0, 63) : 0;
      min[s] = dmin > 0 ? clamped_round(offset[s] / dmin, 0, 63) : 0;
    }
    pack_scale_min(dst + 4, scale, min);
    uint8_t* codes = dst + 16;
    std::memset(codes, 0, 128);
    for (int s = 0; s < 8; ++s) {
      const float sub_step = d * static_cast<float>(scale[s]), sub_offset = dmin * static_cast<float>(min[s]);
      for (int l = 0; l < 32; ++l) {
        const int q = sub_step > 0 ? clamped_round((src[32 * s + l] + sub_offset) / sub_step, 0, 15) : 0;
        codes[32 * (s / 2) + l] |= static_cast<uint8_t>(s % 2 ? q << 4 : q);
      }
    }
  }
}

// Q6_K: per 128 values, `low` holds 64 bytes of low nibbles, `high` 32 bytes of 2-bit tops. Value l
// (l < 32) of each quarter q (0..3) sits in low[l + 32 · (q % 2)] (nibble q / 2) and high[l] (bits 2q).
void dequantize_q6_k(const uint8_t* src, float* dst, size_t n) {
  assert(n % kSuperBlockElements == 0);
  for (size_t b = 0; b < n / kSuperBlockElements; ++b, src += kQ6_KBlockBytes) {
    const uint8_t* low = src;
    const uint8_t* high = src + 128;
    const auto* scales = reinterpret_cast<const int8_t*>(src + 192);
    const float d = read_half(src + 208);
    for (int half = 0; half < 2; ++half, low += 64, high += 32, scales += 8, dst += 128)
      for (int l = 0; l < 32; ++l)
        for (int q = 0; q < 4; ++q) {
          const int nibble = (low[l + 32 * (q % 2)] >> (4 * (q / 2))) & 0xF;
          const int code = (nibble | (((high[l] >> (2 * q)) & 3) << 4)) - 32;
          // ggml's order: (d · scale) · code.
          dst[32 * q + l] = d * static_cast<float>(scales[2 * q + l / 16]) * static_cast<float>(code);
        }
  }
}

void quantize_q6_k(const float* src, uint8_t* dst, size_t n) {
  assert(n % kSuperBlockElements == 0);
  for (size_t b = 0; b < n / kSuperBlockElements; ++b, src += kSuperBlockElements, dst += kQ6_KBlockBytes) {
    // Sub-blocks of 16 with a symmetric step (codes -31..31 of the format's -32..31), the steps
    // themselves as int8 multiples of the block's fp16 scale.
    float step[16];
    for (int s = 0; s < 16; ++s) {
      float amax = 0;
      for (int l = 0; l < 16; ++l) amax = std::max(amax, std::fabs(src[16 * s + l]));
      step[s] = amax / 31.0f;
    }
    const float d = write_half(dst + 208, *std::max_element(step, step + 16) / 127.0f);
    auto* scales = reinterpret_cast<int8_t*>(dst + 192);
    std::memset(dst, 0, 192);
    for (int s = 0; s < 16; ++s) scales[s] = static_cast<int8_t>(d > 0 ? clamped_round(step[s] / d, 0, 127) : 0);
    for (int i = 0; i < 256; ++i) {
      const float sub_step = d * static_cast<float>(scales[i / 16]);
      const int code = (sub_step > 0 ? clamped_round(src[i] / sub_step, -32, 31) : 0) + 32;
      const int half = i / 128, q = (i % 128) / 32, l = i % 32;
      dst[64 * half + l + 32 * (q % 2)] |= static_cast<uint8_t>((code & 0xF) << (4 * (q / 2)));
      dst[128 + 32 * half + l] |= static_cast<uint8_t>((code >> 4) << (2 * q));
    }
  }
}

void round_through_q8_k(float* values, size_t n) {
  assert(n % kSuperBlockElements == 0);
  for (float* x = values; x < values + n; x += kSuperBlockElements) {
    float extreme = 0, amax = 0;
    for (size_t j = 0; j < kSuperBlockElements; ++j)
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        extreme = x[j];
      }
    if (amax == 0) {
      std::fill(x, x + kSuperBlockElements, 0.0f);
      continue;
    }
    const float iscale = -127.0f / extreme, scale = 1.0f / iscale;
    for (size_t j = 0; j < kSuperBlockElements; ++j) {
      const int code = std::min(127, static_cast<int>(std::nearbyint(iscale * x[j])));
      x[j] = static_cast<float>(code) * scale;
    }
  }
}

}  // namespace oh::lm
