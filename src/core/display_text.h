// Text made safe to show: the project's one HTML escaper and its one cut of UTF-8 text to a
// byte limit. Kept apart from strings.h and utf8.h, which nearly every file includes.
#pragma once

#include <string>
#include <string_view>

namespace phaseout {

// Text made safe inside HTML element content and quoted attribute values: made valid UTF-8
// first (SanitizeUtf8, core/utf8.h), then & < > " ' as entities, and control characters other
// than newline and tab as the text "\xNN", so bytes from devices are shown, never interpreted.
// Used by the check report and the inventory report.
std::string HtmlEscape(std::string_view s);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence: a cut that falls inside a sequence moves back to the sequence's first byte (at most
// three bytes back, so input with long runs of stray continuation bytes is still cut near
// `max_bytes`). `s` itself when it fits. Callers add their own "..." marker.
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

}  // namespace phaseout
