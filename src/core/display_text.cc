// HTML escaping and UTF-8-safe cuts for text that is shown to people.
#include "core/display_text.h"

#include "core/utf8.h"

namespace phaseout {

std::string HtmlEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string v = SanitizeUtf8(s);
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\t') {
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
      }
    }
  }
  return out;
}

std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  for (int back = 0; back < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80; ++back) {
    --cut;
  }
  return s.substr(0, cut);
}

}  // namespace phaseout
