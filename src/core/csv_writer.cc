// CSV cells (RFC 4180) with the project's UTF-8 sanitising rule and formula guard.
#include "core/csv_writer.h"

#include "core/utf8.h"

namespace phaseout {

void AppendCsvField(std::string_view value, std::string* out, bool guard_formula) {
  std::string sanitised;
  if (!IsValidUtf8(value)) {
    sanitised = SanitizeUtf8(value);
    value = sanitised;
  }
  bool guard = guard_formula && !value.empty() &&
               (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t' ||
                value[0] == '\r');
  // A leading byte-order mark is quoted too: the reader drops one at the start of a file.
  bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!value.empty() && !guard && value.front() == ' ') || (!value.empty() && value.back() == ' ') ||
               (!guard && value.substr(0, 3) == "\xEF\xBB\xBF");
  if (quote) out->push_back('"');
  if (guard) out->push_back('\'');
  if (!quote) {
    out->append(value);
    return;
  }
  for (size_t i = 0; i < value.size();) {
    size_t q = value.find('"', i);
    if (q == std::string_view::npos) {
      out->append(value.substr(i));
      break;
    }
    out->append(value.substr(i, q + 1 - i));
    out->push_back('"');
    i = q + 1;
  }
  out->push_back('"');
}

std::string CsvField(std::string_view value, bool guard_formula) {
  std::string out;
  out.reserve(value.size() + 2);
  AppendCsvField(value, &out, guard_formula);
  return out;
}

}  // namespace phaseout
