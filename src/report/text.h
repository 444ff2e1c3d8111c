// Text helpers for renderers: device bytes made valid UTF-8, CSV fields quoted and guarded,
// table cells made terminal-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/utf8.h"

namespace phaseout::report {

// SanitizeUtf8 (device bytes made valid UTF-8, invalid bytes as "\xNN") is the project's one
// sanitiser in core/utf8.h; it is re-exported here for the renderers.
using ::phaseout::SanitizeUtf8;

// One CSV field per RFC 4180: quoted iff it contains a comma, a double quote, CR, LF or
// leading/trailing space; inner quotes doubled. When `guard_formula` is set, a value starting
// with '=', '+', '-', '@', TAB or CR gets a leading apostrophe so spreadsheets do not run
// device-supplied text as a formula (OWASP "CSV injection").
std::string CsvField(std::string_view value, bool guard_formula = true);

// A table cell: printable ASCII only (other bytes as \xNN, see EscapeBytes in core/strings.h),
// cut to `width` characters with a trailing "..." when longer. Keeps terminals safe from
// escape sequences sent by devices.
std::string TableCell(std::string_view value, size_t width);

}  // namespace phaseout::report
