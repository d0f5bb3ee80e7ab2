#pragma once
// Content hashes for resume keys (DESIGN §3): stable across runs, platforms and builds.
#include <cstdint>
#include <string>

namespace oh {

/// 64-bit FNV-1a of `bytes`, as 16 lowercase hex digits.
std::string content_hash(const std::string& bytes);

/// Appends the exact bits of `x` to a hash input (no formatting round trip).
void append_bits(std::string& bytes, double x);

}  // namespace oh
