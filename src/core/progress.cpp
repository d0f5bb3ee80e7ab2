#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace oh {

Progress::Progress(std::string label, size_t total)
    : label_(std::move(label)),
      total_(total),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::advance(size_t count) {
  done_ += count;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (now - last_draw_ >= interval) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  draw(true);
}

void Progress::draw(bool final_line) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const double eta = done_ ? seconds / static_cast<double>(done_) * static_cast<double>(total_ - done_) : 0.0;
  std::fprintf(stderr, "%s%s %zu/%zu (%.0f%%) %.1fs elapsed, ~%.0fs left%s", tty_ ? "\r" : "", label_.c_str(),
               done_, total_, 100.0 * fraction, seconds, final_line ? 0.0 : eta,
               (tty_ && !final_line) ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace oh
