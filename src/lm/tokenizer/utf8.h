#pragma once
// UTF-8 validation and code point iteration for tokenizer input (which is untrusted text).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oh::lm {

/// The byte offset of the first invalid sequence (overlong forms, surrogates and code points above
/// U+10FFFF are invalid), or npos when `text` is valid UTF-8.
size_t find_invalid_utf8(std::string_view text);

/// Throws InputError "`what`: invalid UTF-8 at byte N" when `text` is not valid UTF-8.
void require_valid_utf8(std::string_view text, const std::string& what);

/// Length in bytes of the (valid) sequence starting with `lead`.
inline size_t utf8_sequence_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/// Decodes the valid sequence at `text[pos]` and advances `pos`.
uint32_t next_code_point(std::string_view text, size_t& pos);

void append_utf8(std::string& out, uint32_t code_point);

}  // namespace oh::lm
