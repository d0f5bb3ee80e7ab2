// report::Document: escaping, the embedded scripts, chart specs surviving the round trip through
// HTML, and the atomic write.
#include "report/document.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "html_probe.h"
#include "report/embedded_js.h"

namespace oh::report {
namespace {

namespace fs = std::filesystem;
using testing::chart_specs;
using testing::count_of;
using testing::script_open_tags;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path fresh_directory(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("oh_report_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

nlohmann::json bar_spec(const std::string& label) {
  return {{"data", {{"values", {{{"label", label}, {"value", 3}}}}}},
          {"mark", "bar"},
          {"encoding", {{"x", {{"field", "label"}, {"type", "nominal"}}},
                        {"y", {{"field", "value"}, {"type", "quantitative"}}}}}};
}

TEST(Document, EmbeddedScriptsAreTheInstalledBuildsByteForByte) {
  const fs::path modules = fs::path(OH_SOURCE_DIR) / "third_party/js/node_modules";
  const char* builds[] = {"vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js",
                          "vega-embed/build/vega-embed.min.js"};
  const char* names[] = {"vega", "vega-lite", "vega-embed"};
  for (size_t i = 0; i < kEmbeddedScriptCount; ++i) {
    SCOPED_TRACE(builds[i]);
    std::string expected = read_file(modules / builds[i]);
    ASSERT_GT(expected.size(), 10000u);
    // The generator drops a trailing source-map comment (the map is not shipped).
    const size_t map_comment = expected.rfind("\n//# sourceMappingURL=");
    if (map_comment != std::string::npos) expected.erase(map_comment + 1);
    const EmbeddedScript& script = embedded_scripts()[i];
    EXPECT_EQ(script.name, names[i]);
    const nlohmann::json manifest = nlohmann::json::parse(read_file(modules / names[i] / "package.json"));
    EXPECT_EQ(script.version, manifest["version"].get<std::string>());
    EXPECT_TRUE(script.source == expected) << "embedded " << script.source.size() << " bytes, file "
                                           << expected.size();
  }
}

TEST(Document, EscapesTextEverywhere) {
  Document page("A <b>bold</b> & \"quoted\" title");
  page.add_section("<section>").add_paragraph("1 < 2 & 'x'").add_code_block("{\"a\": \"<tag>\"}");
  Table table({"name", "<value>"});
  table.add_row({"<script>alert(1)</script>", "a&b"});
  page.add_table(table, "caption <i>");
  const std::string html = page.to_html();
  EXPECT_NE(html.find("<title>A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title</title>"), std::string::npos);
  EXPECT_NE(html.find("<h2>&lt;section&gt;</h2>"), std::string::npos);
  EXPECT_NE(html.find("<p>1 &lt; 2 &amp; &#39;x&#39;</p>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>a&amp;b</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>&lt;value&gt;</th>"), std::string::npos);
  EXPECT_NE(html.find("<caption>caption &lt;i&gt;</caption>"), std::string::npos);
  EXPECT_NE(html.find("{&quot;a&quot;: &quot;&lt;tag&gt;&quot;}"), std::string::npos);
  // No chart, so no JavaScript at all.
  EXPECT_TRUE(script_open_tags(html).empty());
}

TEST(Document, ChartsCarryTheirSpecsAndInlineEveryScript) {
  Document page("charts");
  // A label that would end a naive <script> element early.
  const nlohmann::json first = bar_spec("</script><script>alert('x')</script><!--");
  const nlohmann::json second = bar_spec("plain");
  page.add_chart("first", first, "first caption").add_chart("second", second);
  EXPECT_EQ(page.chart_count(), 2u);
  const std::string html = page.to_html();

  const std::vector<nlohmann::json> specs = chart_specs(html);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0], first);
  EXPECT_EQ(specs[1], second);
  EXPECT_EQ(count_of(html, "</script"), script_open_tags(html).size());

  // Two spec elements, the three libraries, one loader: all inline, none fetched.
  const std::vector<std::string> tags = script_open_tags(html);
  ASSERT_EQ(tags.size(), 2u + kEmbeddedScriptCount + 1u);
  for (const auto& tag : tags) EXPECT_EQ(tag.find("src"), std::string::npos) << tag;
  EXPECT_EQ(html.find("<link"), std::string::npos);
  for (const auto& script : embedded_scripts()) {
    EXPECT_NE(html.find(script.source), std::string::npos) << script.name;
  }
  EXPECT_NE(html.find("id=\"oh-chart-0\""), std::string::npos);
  EXPECT_NE(html.find("id=\"oh-chart-1\""), std::string::npos);
  EXPECT_NE(html.find("<figcaption>first caption</figcaption>"), std::string::npos);
}

TEST(Document, RejectsMalformedInput) {
  Document page("x");
  EXPECT_THROW(page.add_chart("not a spec", nlohmann::json::array({1, 2})), InputError);
  EXPECT_THROW(Table({}), InputError);
  Table table({"a", "b"});
  EXPECT_THROW(table.add_row({"only one"}), InputError);
}

TEST(Document, WritesAtomicallyAndReportsUnwritablePaths) {
  const fs::path dir = fresh_directory("write");
  const fs::path target = dir / "report.html";
  std::ofstream(target) << "an older report";
  Document page("fresh");
  page.add_chart("c", bar_spec("v"));
  page.write_html(target.string());
  EXPECT_EQ(read_file(target), page.to_html());
  // Only the report remains: the temporary file was renamed, not copied.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);

  const std::string missing = (dir / "no-such-dir" / "report.html").string();
  try {
    page.write_html(missing);
    FAIL() << "writing into a missing directory succeeded";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(missing), std::string::npos) << error.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oh::report
