#pragma once
// Whole files: writes that a crash cannot leave half done (write beside the target, then rename),
// and reads.
#include <string>

namespace oh {

/// Writes `content` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

/// The bytes of `path`. Throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace oh
