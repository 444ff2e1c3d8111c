// Text helpers for renderers: device bytes made valid UTF-8, CSV fields quoted and guarded,
// table cells made terminal-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/csv_writer.h"
#include "core/utf8.h"

namespace phaseout::report {

// SanitizeUtf8 (device bytes made valid UTF-8, invalid bytes as "\xNN") is the project's one
// sanitiser in core/utf8.h; it is re-exported here for the renderers.
using ::phaseout::SanitizeUtf8;

// CsvField (RFC 4180 quoting, UTF-8 sanitised, formula guard on by default) is the project's
// one CSV writer in core/csv_writer.h; it is re-exported here for the renderers.
using ::phaseout::CsvField;

// A table cell: printable ASCII only (other bytes as \xNN, see EscapeBytes in core/strings.h),
// cut to `width` characters with a trailing "..." when longer. Keeps terminals safe from
// escape sequences sent by devices.
std::string TableCell(std::string_view value, size_t width);

// HtmlEscape (core/display_text.h) with a shortcut: printable ASCII without & < > " ' (most
// device fields) is returned as it is, without the UTF-8 pass. Same result as HtmlEscape.
std::string HtmlText(std::string_view value);

}  // namespace phaseout::report
