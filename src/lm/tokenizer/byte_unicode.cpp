#include "lm/tokenizer/byte_unicode.h"

#include <array>

#include "lm/tokenizer/utf8.h"

namespace oh::lm {
namespace {

struct ByteMap {
  std::array<std::string, 256> spelling;
  std::array<int, 324> byte_of;  // code points 0..323 cover every spelling

  ByteMap() {
    byte_of.fill(-1);
    uint32_t next_extra = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
      const uint32_t cp = printable ? static_cast<uint32_t>(b) : next_extra++;
      append_utf8(spelling[b], cp);
      byte_of[cp] = b;
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap map;
  return map;
}

}  // namespace

const std::string& byte_to_unicode(uint8_t b) { return byte_map().spelling[b]; }

void append_byte_spelling(std::string& out, std::string_view bytes) {
  const auto& map = byte_map();
  for (unsigned char c : bytes) out += map.spelling[c];
}

int unicode_to_byte(uint32_t code_point) {
  return code_point < byte_map().byte_of.size() ? byte_map().byte_of[code_point] : -1;
}

std::string unspell_bytes(std::string_view token) {
  std::string out;
  size_t pos = 0;
  while (pos < token.size()) {
    const size_t start = pos;
    const int b = unicode_to_byte(next_code_point(token, pos));
    if (b >= 0)
      out += static_cast<char>(b);
    else
      out.append(token.substr(start, pos - start));
  }
  return out;
}

}  // namespace oh::lm
