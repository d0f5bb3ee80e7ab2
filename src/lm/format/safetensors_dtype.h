#pragma once
// safetensors element types: the names the header spells, their sizes (for bounds checks), and the
// float conversions this engine supports (F32, F16, BF16), torch-free.
#include <cstddef>
#include <cstdint>
#include <string>

namespace oh::lm {

enum class SafetensorsDtype {
  Bool, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64,
};

struct SafetensorsDtypeTraits {
  SafetensorsDtype dtype;
  const char* name;  // as the JSON header spells it
  uint32_t bytes;    // per element
};

/// The traits of a dtype name read from a file, or nullptr when the name is not a safetensors dtype.
const SafetensorsDtypeTraits* find_safetensors_dtype(const std::string& name);
const SafetensorsDtypeTraits& safetensors_dtype_traits(SafetensorsDtype dtype);

/// bfloat16 is the upper half of a float32: widening is exact.
float bfloat16_to_float(uint16_t b);
/// Round to nearest, ties to even; overflow gives infinity; NaN stays a (quiet) NaN.
uint16_t float_to_bfloat16(float f);

/// Whether to_float/from_float handle `dtype` (F32, F16, BF16).
bool is_float_convertible(SafetensorsDtype dtype);
/// Converts `n` little-endian values of `dtype` at `src` (any alignment) to float; InputError otherwise.
void to_float(SafetensorsDtype dtype, const void* src, float* dst, size_t n);
/// Converts `n` floats to `dtype` at `dst` (any alignment); InputError for a dtype that is not F32/F16/BF16.
void from_float(SafetensorsDtype dtype, const float* src, void* dst, size_t n);

}  // namespace oh::lm
