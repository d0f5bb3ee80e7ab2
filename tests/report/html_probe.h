#pragma once
// Small readers for a written report's HTML, used by the report tests to check what a browser
// will see: the script elements and the chart specs.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace oh::report::testing {

/// The opening tags of every <script ...> element, e.g. `<script type="application/json" ...>`.
inline std::vector<std::string> script_open_tags(const std::string& html) {
  std::vector<std::string> tags;
  for (size_t at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) {
    tags.push_back(html.substr(at, html.find('>', at) - at + 1));
  }
  return tags;
}

/// Every chart spec embedded in the page, parsed back from its JSON script element.
inline std::vector<nlohmann::json> chart_specs(const std::string& html) {
  static const std::string kOpen = "<script type=\"application/json\" class=\"oh-vega-lite-spec\"";
  std::vector<nlohmann::json> specs;
  for (size_t at = html.find(kOpen); at != std::string::npos; at = html.find(kOpen, at + 1)) {
    const size_t begin = html.find('>', at) + 1;
    const size_t end = html.find("</script>", begin);
    specs.push_back(nlohmann::json::parse(html.substr(begin, end - begin)));
  }
  return specs;
}

/// Number of non-overlapping occurrences of `needle`.
inline size_t count_of(const std::string& html, const std::string& needle) {
  size_t count = 0;
  for (size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace oh::report::testing
