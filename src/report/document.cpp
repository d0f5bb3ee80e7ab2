#include "report/document.h"

#include <utility>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/embedded_js.h"
#include "report/html.h"

namespace oh::report {
namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em;
       color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 1em 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
caption { caption-side: bottom; text-align: left; color: #555; padding-top: 0.4em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
figure { margin: 1.5em 0; }
figcaption { color: #555; max-width: 60em; }
.oh-chart-failed { color: #b00; }
)css";

// Draws every chart from the JSON spec beside it and records the outcome on the chart's element
// (data-rendered = "true" | "error"), which the browser smoke test waits for.
constexpr std::string_view kLoader = R"js(
for (const specElement of document.querySelectorAll('script.oh-vega-lite-spec')) {
  const target = document.getElementById(specElement.dataset.chart);
  vegaEmbed(target, JSON.parse(specElement.textContent), {actions: false, renderer: 'svg'})
    .then(() => { target.dataset.rendered = 'true'; })
    .catch((error) => {
      target.dataset.rendered = 'error';
      target.classList.add('oh-chart-failed');
      target.textContent = 'This chart could not be drawn: ' + error;
      console.error(error);
    });
}
)js";

}  // namespace

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {
  if (header_.empty()) throw InputError("report table: the header has no columns");
}

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != header_.size()) {
    throw InputError(fmt::format("report table: row {} has {} cells, the header has {}",
                                 rows_.size(), cells.size(), header_.size()));
  }
  rows_.push_back(std::move(cells));
}

Document::Document(std::string title) : title_(std::move(title)) {}

Document& Document::add_section(std::string_view heading) {
  blocks_.push_back(fmt::format("<h2>{}</h2>", html_escape(heading)));
  return *this;
}

Document& Document::add_paragraph(std::string_view text) {
  blocks_.push_back(fmt::format("<p>{}</p>", html_escape(text)));
  return *this;
}

Document& Document::add_table(const Table& table, std::string_view caption) {
  std::string html = "<table>\n";
  if (!caption.empty()) html += fmt::format("<caption>{}</caption>\n", html_escape(caption));
  html += "<thead><tr>";
  for (const auto& cell : table.header()) html += fmt::format("<th>{}</th>", html_escape(cell));
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows()) {
    html += "<tr>";
    for (const auto& cell : row) html += fmt::format("<td>{}</td>", html_escape(cell));
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>";
  blocks_.push_back(std::move(html));
  return *this;
}

Document& Document::add_code_block(std::string_view text) {
  blocks_.push_back(fmt::format("<pre><code>{}</code></pre>", html_escape(text)));
  return *this;
}

Document& Document::add_chart(std::string_view title, const nlohmann::json& vega_lite_spec,
                              std::string_view caption) {
  if (!vega_lite_spec.is_object()) {
    throw InputError(fmt::format("report chart '{}': a Vega-Lite spec must be a JSON object, got {}",
                                 title, vega_lite_spec.type_name()));
  }
  const std::string id = fmt::format("oh-chart-{}", chart_count_++);
  std::string html = "<figure>\n";
  html += fmt::format("<h3>{}</h3>\n", html_escape(title));
  html += fmt::format("<div class=\"oh-chart\" id=\"{}\"></div>\n", id);
  html += fmt::format("<script type=\"application/json\" class=\"oh-vega-lite-spec\" data-chart=\"{}\">{}"
                      "</script>\n",
                      id, json_for_script(vega_lite_spec.dump()));
  if (!caption.empty()) html += fmt::format("<figcaption>{}</figcaption>\n", html_escape(caption));
  html += "</figure>";
  blocks_.push_back(std::move(html));
  return *this;
}

std::string Document::to_html() const {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
                      html_escape(title_), kStyle, html_escape(title_));
  for (const auto& block : blocks_) {
    html += block;
    html += '\n';
  }
  if (chart_count_ > 0) {
    for (const auto& script : embedded_scripts()) {
      html += fmt::format("<script>/* {} {} */\n", script.name, script.version);
      html += script.source;
      html += "\n</script>\n";
    }
    html += fmt::format("<script>{}</script>\n", kLoader);
  }
  html += "</body>\n</html>\n";
  return html;
}

void Document::write_html(const std::string& path) const { write_file_atomically(path, to_html()); }

}  // namespace oh::report
