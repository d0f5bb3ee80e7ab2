#pragma once
// Small string helpers shared by option parsing and error messages.
#include <string>
#include <vector>

namespace oh {

/// "a,b,,c" → {"a", "b", "c"}: the non-empty items of a comma-separated list, in order.
std::vector<std::string> split_list(const std::string& text);

/// {"a", "b"} → "a, b" (for "valid: ..." messages).
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

}  // namespace oh
