#pragma once
// Escaping for the two places text enters a report: HTML content/attributes, and JSON placed
// inside a <script> element.
#include <string>
#include <string_view>

namespace oh::report {

/// Escapes &, <, >, " and ' so any text is safe as element content or a quoted attribute value.
std::string html_escape(std::string_view text);

/// Makes serialised JSON safe inside <script type="application/json">: '<', '>' and '&' (which
/// JSON only allows inside strings) become \u003c, \u003e, \u0026, so "</script>" or "<!--" in a
/// label cannot end or confuse the element. JSON.parse reads the result back unchanged.
std::string json_for_script(std::string_view json);

}  // namespace oh::report
