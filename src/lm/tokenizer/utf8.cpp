#include "lm/tokenizer/utf8.h"

#include "core/error.h"

namespace oh::lm {

size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2, cp = c & 0x1fu, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3, cp = c & 0x0fu, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4, cp = c & 0x07u, min = 0x10000;
    } else {
      return i;  // continuation byte, 0xc0/0xc1 (always overlong) or 0xf5..0xff
    }
    if (n - i < length) return i;
    for (size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xc0u) != 0x80u) return i;
      cp = (cp << 6) | (s[i + k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += length;
  }
  return std::string_view::npos;
}

void require_valid_utf8(std::string_view text, const std::string& what) {
  const size_t bad = find_invalid_utf8(text);
  if (bad != std::string_view::npos) throw InputError(what + ": invalid UTF-8 at byte " + std::to_string(bad));
}

uint32_t next_code_point(std::string_view text, size_t& pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t length = utf8_sequence_length(s[pos]);
  uint32_t cp = length == 1 ? s[pos] : length == 2 ? (s[pos] & 0x1fu) : length == 3 ? (s[pos] & 0x0fu) : (s[pos] & 0x07u);
  for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (s[pos + k] & 0x3fu);
  pos += length;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace oh::lm
