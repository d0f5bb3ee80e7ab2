#pragma once
// ggml's block-quantised weight formats beyond Q8_0: Q4_0 (32 values: fp16 scale, 4-bit codes),
// Q4_K (256 values: fp16 scale and min, eight 6-bit sub-block scales and mins, 4-bit codes) and Q6_K
// (256 values: 6-bit codes, sixteen int8 sub-block scales, fp16 scale), plus Q8_K, the activation
// format llama.cpp multiplies K-quant weights with. Dequantisation follows ggml's reference
// arithmetic to the bit; the quantisers are plain round-to-nearest per block (valid blocks for any
// reader, not llama.cpp's error-minimising search), meant for writing test models.
#include <cstddef>
#include <cstdint>

namespace oh::lm {

constexpr size_t kQ4_0BlockElements = 32, kQ4_0BlockBytes = 2 + 16;
constexpr size_t kSuperBlockElements = 256;  // ggml's QK_K
constexpr size_t kQ4_KBlockBytes = 2 + 2 + 12 + 128;
constexpr size_t kQ6_KBlockBytes = 128 + 64 + 16 + 2;

/// `n` (a multiple of the block) values from blocks at `src` to floats at `dst`.
void dequantize_q4_0(const uint8_t* src, float* dst, size_t n);
void dequantize_q4_k(const uint8_t* src, float* dst, size_t n);
void dequantize_q6_k(const uint8_t* src, float* dst, size_t n);

/// `n` (a multiple of the block) floats at `src` to blocks at `dst`.
void quantize_q4_0(const float* src, uint8_t* dst, size_t n);
void quantize_q4_k(const float* src, uint8_t* dst, size_t n);
void quantize_q6_k(const float* src, uint8_t* dst, size_t n);

/// Replaces `n` (a multiple of 256) values by what llama.cpp's Q8_K activation quantisation keeps of
/// them: per 256 values the one of largest magnitude maps to -127, scale = 1 / (-127 / that value) in
/// float32, codes rounded to nearest (ties to even) and capped at 127, then code · scale.
void round_through_q8_k(float* values, size_t n);

}  // namespace oh::lm
