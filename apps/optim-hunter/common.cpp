#include <cstdio>

#include "apps/optim-hunter/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"

namespace oh::cli {
namespace {

uint32_t parse_seed(const std::string& text) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-' || value > 0xffffffffULL)
    throw InputError("invalid seed '" + text + "' (seeds are integers in [0, 2^32))");
  return static_cast<uint32_t>(value);
}

}  // namespace

std::vector<uint32_t> parse_seed_list(const std::string& text) {
  std::vector<uint32_t> seeds;
  for (const auto& item : split_list(text)) {
    const size_t dash = item.find('-', 1);
    if (dash == std::string::npos) {
      seeds.push_back(parse_seed(item));
      continue;
    }
    const uint32_t first = parse_seed(item.substr(0, dash)), last = parse_seed(item.substr(dash + 1));
    if (last < first) throw InputError("invalid seed range '" + item + "'");
    for (uint64_t s = first; s <= last; ++s) seeds.push_back(static_cast<uint32_t>(s));
  }
  if (seeds.empty()) throw InputError("empty seed list '" + text + "'");
  return seeds;
}

void emit(const std::string& text, const std::string& path) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  write_file_atomically(path, text);
}

}  // namespace oh::cli
