#pragma once
// Whole-file writes that a crash cannot leave half done: write beside the target, then rename.
#include <string>

namespace oh {

/// Writes `content` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace oh
