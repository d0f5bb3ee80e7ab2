// The weight formats BF16, Q4_0, Q4_K and Q6_K: dequantisation against values worked out by hand
// from ggml's block layouts (ggml-common.h), and our test quantisers' round trips within the error a
// round-to-nearest block format allows. (That llama.cpp reads our blocks the same way is checked by
// the logits conformance, lm_logits_conformance.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/numpy_random.h"
#include "lm/format/ggml_quants.h"
#include "lm/format/ggml_types.h"

namespace oh::lm {
namespace {

std::vector<float> dequantized(GgmlType type, const std::vector<uint8_t>& blocks, size_t n) {
  std::vector<float> out(n);
  dequantize(type, blocks.data(), out.data(), n);
  return out;
}

void put_u16(std::vector<uint8_t>& bytes, size_t at, uint16_t value) { std::memcpy(bytes.data() + at, &value, 2); }

TEST(Quant, Bf16IsTheUpperHalfRoundedToNearestEven) {
  // bf16 keeps 7 mantissa bits (a step of 2^-7 at 1). 1 + 2^-8 is halfway between 0x3F80 and 0x3F81: ties
  // go to the even 0x3F80; 1 + 3·2^-8 is halfway between 0x3F81 and 0x3F82: to 0x3F82 = 1 + 2^-6.
  const std::vector<float> values = {1.0f, 1.0f + 0.00390625f, 1.0f + 3 * 0.00390625f, -2.5f, 1.0f + 0.005f};
  std::vector<uint8_t> bytes(2 * values.size());
  quantize(GgmlType::BF16, values.data(), bytes.data(), values.size());
  const std::vector<uint16_t> want = {0x3F80, 0x3F80, 0x3F82, 0xC020, 0x3F81};
  for (size_t i = 0; i < want.size(); ++i) {
    uint16_t got;
    std::memcpy(&got, bytes.data() + 2 * i, 2);
    EXPECT_EQ(got, want[i]) << i;
  }
  EXPECT_EQ(dequantized(GgmlType::BF16, bytes, values.size()),
            (std::vector<float>{1.0f, 1.0f, 1.0f + 4 * 0.00390625f, -2.5f, 1.0f + 0.0078125f}));
}

TEST(Quant, Q4_0DequantisesLowNibblesFirstOffsetByEight) {
  std::vector<uint8_t> block(kQ4_0BlockBytes);
  put_u16(block, 0, 0x3800);  // d = 0.5
  for (int j = 0; j < 16; ++j) block[2 + j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const std::vector<float> got = dequantized(GgmlType::Q4_0, block, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(got[j], 0.5f * static_cast<float>(j - 8)) << j;
    EXPECT_EQ(got[j + 16], 0.5f * static_cast<float>(7 - j)) << j;
  }
}

TEST(Quant, Q4_KUnpacksSixBitScalesAndMins) {
  std::vector<uint8_t> block(kQ4_KBlockBytes);
  put_u16(block, 0, 0x3400);  // d = 0.25
  put_u16(block, 2, 0x3000);  // dmin = 0.125
  const uint8_t packed[12] = {0x41, 0x02, 0x03, 0xC4, 0x05, 0x46, 0x07, 0x08, 0x21, 0x43, 0x65, 0x87};
  std::memcpy(block.data() + 4, packed, 12);
  // Worked by hand: sub-blocks 0-3 take the low six bits of bytes 0-3 (scales) and 4-7 (mins);
  // sub-block 4 + k takes the nibbles of byte 8 + k (scale low, min high) and the top two bits of
  // bytes k (scale) and 4 + k (min) as bits 4-5.
  const int scale[8] = {1, 2, 3, 4, 17, 3, 5, 55}, min[8] = {5, 6, 7, 8, 2, 20, 6, 8};
  for (int l = 0; l < 128; ++l) block[16 + l] = static_cast<uint8_t>((l % 16) | ((15 - l % 16) << 4));
  const std::vector<float> got = dequantized(GgmlType::Q4_K, block, 256);
  for (int i = 0; i < 256; ++i) {
    // Sub-block s uses the low nibbles of code bytes 32·(s/2) .. +31 when s is even, the high ones when odd.
    const int s = i / 32, l = i % 32, code = s % 2 == 0 ? l % 16 : 15 - l % 16;
    EXPECT_EQ(got[i], 0.25f * static_cast<float>(scale[s] * code) - 0.125f * static_cast<float>(min[s])) << i;
  }
}

TEST(Quant, Q6_KCombinesLowNibblesAndHighBitPairs) {
  std::vector<uint8_t> block(kQ6_KBlockBytes);
  for (int i = 0; i < 128; ++i) block[i] = static_cast<uint8_t>(i * 7);
  for (int i = 0; i < 64; ++i) block[128 + i] = static_cast<uint8_t>(i * 13);
  for (int k = 0; k < 16; ++k) block[192 + k] = static_cast<uint8_t>(static_cast<int8_t>(k - 8));
  put_u16(block, 208, 0x3800);  // d = 0.5
  const std::vector<float> got = dequantized(GgmlType::Q6_K, block, 256);
  // Worked by hand. Value 0: low byte 0 (nibble 0), high byte 0 → code -32, scale -8: 0.5·-8·-32.
  EXPECT_EQ(got[0], 128.0f);
  // Value 100 (quarter 3, l = 4): high nibble of low byte 36 (252 → 15), bits 6-7 of high byte 4 (52 → 0):
  // code 15 - 32 = -17, scale of sub-block 6 = -2.
  EXPECT_EQ(got[100], 17.0f);
  // Value 200 (second half, quarter 2, l = 8): high nibble of low byte 64 + 8 (504 mod 256 = 248 → 15), bits
  // 4-5 of high byte 32 + 8 (520 mod 256 = 8 → 0): code -17, scale of sub-block 12 = 4.
  EXPECT_EQ(got[200], -34.0f);
  // Value 33 (quarter 1, l = 1): low nibble of low byte 33 (231 → 7), bits 2-3 of high byte 1 (13 → 3):
  // code 7 + 48 - 32 = 23, scale of sub-block 2 = -6.
  EXPECT_EQ(got[33], -69.0f);
}

TEST(Quant, Q8_KKeepsTheLargestMagnitudeAndRoundsCodesToEven) {
  // The largest magnitude -127 gives iscale = -127 / -127 = 1 and scale 1, so codes are the values
  // rounded to nearest, ties to even, capped at 127.
  std::vector<float> x(256, 0.0f);
  x[0] = -127.0f;
  x[1] = 0.5f;
  x[2] = 63.5f;
  x[3] = -62.5f;
  x[4] = 1.25f;
  round_through_q8_k(x.data(), x.size());
  EXPECT_EQ(std::vector<float>(x.begin(), x.begin() + 5), (std::vector<float>{-127.0f, 0.0f, 64.0f, -62.0f, 1.0f}));
  // A positive extreme: iscale = -127 / 2.54 is negative, the extreme's code is -127.
  std::vector<float> y(256, 0.0f);
  y[0] = 2.54f;
  round_through_q8_k(y.data(), y.size());
  EXPECT_EQ(y[0], -127.0f * (1.0f / (-127.0f / 2.54f)));
  std::vector<float> zeros(256, 0.0f);
  round_through_q8_k(zeros.data(), zeros.size());
  EXPECT_EQ(zeros, std::vector<float>(256, 0.0f));
}

/// Quantises N(0, 1) rows with our test quantiser and returns the largest error relative to the
/// largest magnitude of its block, the bound a round-to-nearest 4/6-bit format is held to.
double worst_block_relative_error(GgmlType type, size_t block, uint32_t seed) {
  RandomState rng(seed);
  std::vector<float> x(block * 64);
  for (auto& v : x) v = static_cast<float>(rng.standard_normal());
  std::vector<uint8_t> bytes(x.size() / ggml_type_traits(type).block_elements * ggml_type_traits(type).block_bytes);
  quantize(type, x.data(), bytes.data(), x.size());
  const std::vector<float> y = dequantized(type, bytes, x.size());
  double worst = 0;
  for (size_t b = 0; b < x.size(); b += block) {
    float amax = 0;
    for (size_t j = b; j < b + block; ++j) amax = std::max(amax, std::fabs(x[j]));
    for (size_t j = b; j < b + block; ++j) worst = std::max(worst, std::fabs(static_cast<double>(x[j]) - y[j]) / amax);
  }
  return worst;
}

TEST(Quant, TestQuantisersRoundTripWithinTheirStep) {
  // Q4_0: step amax/8; the extreme is exact, the far side may clamp at +7 (one step), so ≤ 1/8.
  EXPECT_LE(worst_block_relative_error(GgmlType::Q4_0, 32, 1), 1.0 / 8 + 1e-3);
  // Q4_K: half a step (≤ range/30 ≤ amax/15), the 6-bit scale's rounding (≤ d/2 = max step/126, times
  // up to 15 codes: ≤ amax/63) and the 6-bit min's (≤ dmin/2 ≤ amax/126): about 0.09; bound 0.13.
  EXPECT_LE(worst_block_relative_error(GgmlType::Q4_K, 256, 2), 0.13);
  // Q6_K: half a step (amax/62) and the int8 sub-scale's rounding (≤ d/2 = max step/254, times up to 32
  // codes: ≤ amax/246): about 0.02; bound 0.03.
  EXPECT_LE(worst_block_relative_error(GgmlType::Q6_K, 256, 3), 0.03);
}

TEST(Quant, ConstantAndZeroBlocksSurvive) {
  for (auto type : {GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K}) {
    for (float value : {0.0f, 0.75f, -0.75f}) {
      const std::vector<float> x(256, value);
      std::vector<uint8_t> bytes(256 / ggml_type_traits(type).block_elements * ggml_type_traits(type).block_bytes);
      quantize(type, x.data(), bytes.data(), x.size());
      const std::vector<float> y = dequantized(type, bytes, x.size());
      for (float v : y) EXPECT_NEAR(v, value, 0.75 / 8 + 1e-6) << ggml_type_traits(type).name << " " << value;
    }
  }
}

}  // namespace
}  // namespace oh::lm
