// The project's one CSV writer (RFC 4180), the counterpart of core/csv_reader.h: every CSV the
// project writes (screening verdicts, scan reports, inventory reports and listings) quotes its
// cells here, with one guard against spreadsheet formula injection.
#pragma once

#include <string>
#include <string_view>

namespace phaseout {

// Appends one CSV cell to *out. The value is made valid UTF-8 first (SanitizeUtf8, core/utf8.h:
// invalid bytes as "\xNN"). When `guard_formula` is set, a value starting with '=', '+', '-',
// '@', TAB or CR gets a leading apostrophe, so a spreadsheet shows it as text instead of
// running it as a formula (OWASP "CSV injection"); leave it unset only for cells the program
// itself wrote (headers, fixed words). The cell is quoted iff it contains a comma, a double
// quote, CR or LF, starts or ends with a space, or starts with a UTF-8 byte-order mark; inner
// quotes are doubled. A cell written
// without the guard reads back, through CsvParser, as the sanitised value.
void AppendCsvField(std::string_view value, std::string* out, bool guard_formula = true);

// The same as a new string.
std::string CsvField(std::string_view value, bool guard_formula = true);

}  // namespace phaseout
