// The project's one JSON string writer: a value appended as a JSON string literal, with the
// same treatment of invalid UTF-8 as core/utf8.h's SanitizeUtf8. Used by the streaming
// screening writers and by core/json_dump.h, which writes whole nlohmann::json documents (scan,
// inventory, API replies) with it, so every JSON the project writes decodes to the same text.
#pragma once

#include <string>
#include <string_view>

namespace phaseout {

// Appends `s` to *out as a JSON string literal (RFC 8259, quotes included): '"' and '\\'
// escaped, control characters as \b \f \n \r \t or \u00xx (as nlohmann-json writes them),
// well-formed UTF-8 (core/utf8.h Utf8SequenceLength) copied as it is, and every other byte
// written as the four characters "\xNN" (the backslash escaped), so the decoded string equals
// SanitizeUtf8(s). Runs of plain ASCII are copied 16 bytes at a time (8 without SSE2). Never
// allocates beyond the growth of *out.
void AppendJsonString(std::string_view s, std::string* out);

// The same as a new string.
std::string JsonString(std::string_view s);

}  // namespace phaseout
