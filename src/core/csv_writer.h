#pragma once
// RFC-4180 CSV output; numbers are written with Python's repr so a table reads back
// to the same doubles and matches what a pandas user would print.
#include <fstream>
#include <cstddef>
#include <string>
#include <vector>

namespace oh {

class CsvWriter {
 public:
  /// Writes to `path`.partial; `close` renames it to `path`, so a reader never sees half a table.
  /// Throws InputError naming the path when it cannot be written.
  CsvWriter(const std::string& path, const std::vector<std::string>& header);
  /// Cells are already formatted; quoting is applied where a cell needs it.
  void write_row(const std::vector<std::string>& cells);
  /// Flushes, checks and renames into place; throws InputError naming the path on failure.
  void close();

  static std::string quote(const std::string& cell);

 private:
  std::string path_, partial_path_;
  std::ofstream out_;
  size_t columns_;
};

}  // namespace oh
