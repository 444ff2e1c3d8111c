// Text helpers for renderers.
#include "report/text.h"

#include "core/strings.h"

namespace phaseout::report {

std::string CsvField(std::string_view value, bool guard_formula) {
  std::string v = SanitizeUtf8(value);
  if (guard_formula && !v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  bool quote = v.find_first_of(",\"\r\n") != std::string::npos ||
               (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string TableCell(std::string_view value, size_t width) {
  std::string s = EscapeBytes(value, width + 4);
  if (s.size() > width) {
    s.resize(width >= 3 ? width - 3 : 0);
    s += std::string(width >= 3 ? 3 : width, '.');
  }
  return s;
}

}  // namespace phaseout::report
