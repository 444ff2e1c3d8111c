// Text helpers for renderers.
#include "report/text.h"

#include "core/display_text.h"
#include "core/strings.h"

namespace phaseout::report {

std::string TableCell(std::string_view value, size_t width) {
  std::string s = EscapeBytes(value, width + 4);
  if (s.size() > width) {
    s.resize(width >= 3 ? width - 3 : 0);
    s += std::string(width >= 3 ? 3 : width, '.');
  }
  return s;
}

std::string HtmlText(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'') return HtmlEscape(value);
  }
  return std::string(value);
}

}  // namespace phaseout::report
