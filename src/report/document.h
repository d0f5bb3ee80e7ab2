#pragma once
// A report page: a title, then sections, paragraphs, tables, code blocks and Vega-Lite charts in
// the order they are added, written as one self-contained HTML file (scripts inlined, no network).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace oh::report {

/// A plain-text table; cells are escaped when the page is rendered.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  /// Throws InputError when the row's width differs from the header's.
  void add_row(std::vector<std::string> cells);

  const std::vector<std::string>& header() const { return header_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

class Document {
 public:
  explicit Document(std::string title);

  Document& add_section(std::string_view heading);
  Document& add_paragraph(std::string_view text);
  Document& add_table(const Table& table, std::string_view caption = {});
  /// Preformatted text, e.g. a configuration dump.
  Document& add_code_block(std::string_view text);
  /// A chart drawn by vega-embed from a Vega-Lite spec (a JSON object; throws InputError
  /// otherwise). Specs must carry their data inline: a report never fetches anything.
  Document& add_chart(std::string_view title, const nlohmann::json& vega_lite_spec,
                      std::string_view caption = {});

  size_t chart_count() const { return chart_count_; }
  std::string to_html() const;
  /// Writes to a temporary file beside `path`, then renames it over `path`, so readers never see
  /// a partial report. Throws InputError naming the path when it cannot be written.
  void write_html(const std::string& path) const;

 private:
  std::string title_;
  std::vector<std::string> blocks_;  // rendered HTML fragments, in page order
  size_t chart_count_ = 0;
};

}  // namespace oh::report
