#pragma once
// Writes logits as a .npy file (format 1.0, '<f4', C order, shape (positions, vocab)) or, when the
// path ends in .json, as a JSON array of rows.
#include <string>

#include "lm/arch/language_model.h"

namespace oh::lm {

void write_logits(const std::string& path, const LogitsMatrix& logits);

/// The .npy bytes of a float32 matrix (exposed for tests).
std::string npy_bytes(const LogitsMatrix& logits);

}  // namespace oh::lm
