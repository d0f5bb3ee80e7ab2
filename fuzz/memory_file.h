#pragma once
// libFuzzer hands over bytes, the parsers read files through a memory map: an anonymous in-memory
// file (memfd) named /proc/self/fd/N gives them a path without touching the disk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace oh::fuzz {

class MemoryFile {
 public:
  MemoryFile(const uint8_t* data, size_t size) : fd_(::memfd_create("oh-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) fatal("memfd_create");
    for (size_t written = 0; written < size;) {
      const ssize_t n = ::write(fd_, data + written, size - written);
      if (n <= 0) fatal("write");
      written += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] static void fatal(const char* what) {
    std::perror(what);  // the environment failed, not the code under test
    std::abort();
  }
  int fd_;
  std::string path_;
};

}  // namespace oh::fuzz
