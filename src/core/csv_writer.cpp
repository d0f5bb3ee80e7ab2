#include "core/csv_writer.h"

#include <cassert>
#include <cstdio>

#include "core/error.h"

namespace oh {

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& header)
    : path_(path), partial_path_(path + ".partial"), out_(partial_path_, std::ios::out | std::ios::trunc),
      columns_(header.size()) {
  if (!out_) throw InputError("cannot write " + path);
  write_row(header);
}

std::string CsvWriter::quote(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void CsvWriter::write_row(const std::vector<std::string>& cells) {
  assert(cells.size() == columns_);
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out_ << ',';
    out_ << quote(cells[i]);
  }
  out_ << '\n';
}

void CsvWriter::close() {
  out_.flush();
  if (!out_) throw InputError("write failed: " + path_);
  out_.close();
  if (std::rename(partial_path_.c_str(), path_.c_str()) != 0) throw InputError("cannot rename into place: " + path_);
}

}  // namespace oh
