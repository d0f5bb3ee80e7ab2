// The `csv` dataset: a user's file, validated cell by cell (DESIGN §4.2; bad input is exit 2).
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "data/dataset.h"

namespace oh::data {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(cell);
  return cells;
}

double parse_cell(const std::string& cell, const std::string& where) {
  const char* begin = cell.c_str();
  while (*begin == ' ') ++begin;
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  while (end && *end == ' ') ++end;
  if (end == begin || *end != '\0') throw InputError(where + ": not a number: '" + cell + "'");
  if (!std::isfinite(value)) throw InputError(where + ": non-finite value '" + cell + "'");
  return value;
}

}  // namespace

Table read_csv_table(const std::string& path, const std::string& target, std::vector<std::string>* feature_names) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read CSV file " + path);
  std::string line;
  if (!std::getline(in, line)) throw InputError(path + ": empty file (a header row is required)");
  const auto header = split_csv_line(line);
  if (header.size() < 2) throw InputError(path + ": need at least one feature column and a target column");
  size_t target_column = header.size() - 1;
  if (!target.empty()) {
    size_t found = header.size();
    for (size_t j = 0; j < header.size(); ++j)
      if (header[j] == target) found = j;
    if (found == header.size()) throw InputError(path + ": no target column named '" + target + "' in the header");
    target_column = found;
  }
  std::vector<std::vector<double>> rows;
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    const auto cells = split_csv_line(line);
    if (cells.size() != header.size())
      throw InputError(path + ":" + std::to_string(line_number) + ": " + std::to_string(cells.size()) +
                       " cells, the header has " + std::to_string(header.size()));
    std::vector<double> row;
    for (size_t j = 0; j < cells.size(); ++j)
      row.push_back(parse_cell(cells[j], path + ":" + std::to_string(line_number) + " column '" + header[j] + "'"));
    rows.push_back(std::move(row));
  }
  if (rows.size() < 2) throw InputError(path + ": need at least 2 data rows, found " + std::to_string(rows.size()));
  Table table;
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto d = static_cast<Eigen::Index>(header.size() - 1);
  table.X.resize(n, d);
  table.y.resize(n);
  if (feature_names) feature_names->clear();
  for (size_t j = 0, out = 0; j < header.size(); ++j) {
    if (j == target_column) {
      for (Eigen::Index i = 0; i < n; ++i) table.y(i) = rows[static_cast<size_t>(i)][j];
      continue;
    }
    if (feature_names) feature_names->push_back(header[j]);
    for (Eigen::Index i = 0; i < n; ++i) table.X(i, static_cast<Eigen::Index>(out)) = rows[static_cast<size_t>(i)][j];
    ++out;
  }
  return table;
}

}  // namespace oh::data
