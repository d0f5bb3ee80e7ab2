#pragma once
// GPT-2's reversible byte <-> unicode map: byte-level BPE vocabularies spell every byte as a
// printable code point (printable Latin-1 bytes as themselves, the rest as U+0100 + k).
#include <cstdint>
#include <string>
#include <string_view>

namespace oh::lm {

/// The UTF-8 spelling of byte `b` in a byte-level vocabulary (space -> "Ġ").
const std::string& byte_to_unicode(uint8_t b);
/// Appends the spellings of every byte of `bytes`.
void append_byte_spelling(std::string& out, std::string_view bytes);
/// The inverse for one code point, or -1 when the code point spells no byte.
int unicode_to_byte(uint32_t code_point);
/// Decodes a (valid UTF-8) vocabulary entry back to bytes; code points that spell no byte are kept.
std::string unspell_bytes(std::string_view token);

}  // namespace oh::lm
