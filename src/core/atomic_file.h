#pragma once
// Whole files: writes that a crash cannot leave half done (write beside the target, then rename),
// and reads.
#include <functional>
#include <ostream>
#include <string>

namespace oh {

/// Writes `content` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

/// The same for content that `write` streams into the file (it may seek; the stream is binary).
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

/// The bytes of `path`. Throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace oh
