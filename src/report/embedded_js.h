#pragma once
// The JavaScript a report needs to draw its charts, compiled into the binary so that a report
// opens offline (DESIGN §2). The definitions are generated at build time by
// cmake/EmbedJsGenerate.cmake from third_party/js/node_modules.
#include <array>
#include <cstddef>
#include <string_view>

namespace oh::report {

struct EmbeddedScript {
  std::string_view name;     // npm package, e.g. "vega-lite"
  std::string_view version;  // its package.json version
  std::string_view source;   // the minified UMD build
};

constexpr size_t kEmbeddedScriptCount = 3;

/// vega, vega-lite and vega-embed, in the order a page must load them.
const std::array<EmbeddedScript, kEmbeddedScriptCount>& embedded_scripts();

}  // namespace oh::report
