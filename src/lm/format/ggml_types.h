#pragma once
// ggml tensor types as GGUF stores them: block sizes for bounds checks, and the conversions this
// engine supports (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K) in both directions.
#include <cstddef>
#include <cstdint>
#include <string>

namespace oh::lm {

enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, BF16 = 30,
};

/// Layout of one type: `block_elements` values are stored in `block_bytes` bytes.
struct GgmlTypeTraits {
  GgmlType type;
  const char* name;
  uint32_t block_elements;
  uint32_t block_bytes;
};

/// The traits of a type id read from a file, or nullptr when the id is not a type we know.
const GgmlTypeTraits* find_ggml_type(uint32_t id);
const GgmlTypeTraits& ggml_type_traits(GgmlType type);
/// Parses "F32", "F16", "Q8_0", ... (case-sensitive, ggml's spelling); throws InputError otherwise.
GgmlType ggml_type_from_name(const std::string& name);

/// Q8_0: 32 values as one fp16 scale and 32 signed bytes.
constexpr size_t kQ8_0BlockElements = 32;
constexpr size_t kQ8_0BlockBytes = 2 + kQ8_0BlockElements;

float half_to_float(uint16_t h);
/// Round to nearest, ties to even; overflow gives infinity; NaN stays NaN.
uint16_t float_to_half(float f);

/// Converts `n` values of `type` at `src` to float, bit-exact with ggml's reference dequantisation.
/// Supported: see is_convertible (n a multiple of the type's block).
void dequantize(GgmlType type, const void* src, float* dst, size_t n);
/// Converts `n` floats to `type` at `dst` (ggml's reference quantisation for Q8_0, round to nearest even
/// for F16/BF16, per-block round to nearest for Q4_0/Q4_K/Q6_K: see ggml_quants.h).
void quantize(GgmlType type, const float* src, void* dst, size_t n);
/// Whether dequantize/quantize handle `type`.
bool is_convertible(GgmlType type);
/// The types is_convertible accepts, for error messages: "F32, F16, ...".
const char* convertible_type_names();

}  // namespace oh::lm
