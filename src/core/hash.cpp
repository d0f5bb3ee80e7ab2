#include "core/hash.h"

#include <cstdio>
#include <cstring>

namespace oh {

std::string content_hash(const std::string& bytes) {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

void append_bits(std::string& bytes, double x) {
  char raw[sizeof(double)];
  std::memcpy(raw, &x, sizeof x);
  bytes.append(raw, sizeof raw);
}

}  // namespace oh
