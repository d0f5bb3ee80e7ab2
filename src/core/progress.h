#pragma once
// A progress line on stderr for long work. On a terminal it redraws in place; otherwise
// (logs, CI) it prints a line at most every few seconds so logs stay short.
#include <chrono>
#include <cstddef>
#include <string>

namespace oh {

class Progress {
 public:
  Progress(std::string label, size_t total);
  ~Progress();
  /// Marks `count` more units done (thread-compatible: call from one thread).
  void advance(size_t count = 1);
  void finish();

 private:
  void draw(bool final_line);
  std::string label_;
  size_t total_, done_ = 0;
  bool tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace oh
