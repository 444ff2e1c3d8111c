// The project's one JSON document writer: a whole nlohmann::json (or ordered_json) value written
// as JSON text, every string and key through the one string writer (core/json_text.h), so
// invalid UTF-8 is written as the sanitiser writes it ("\xNN") and writing never throws.
// nlohmann-json stays the parser and document model; only its json_fwd.hpp is included here.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace phaseout {

// Appends `value` to *out as JSON text. indent < 0: compact ("{"a":1,"b":[1,2]}"); indent >= 0:
// one member or element a line, nested levels indented by `indent` more spaces, ": " after keys
// (the layout of nlohmann's dump(indent)). For every value whose strings are valid UTF-8 the
// output is byte-identical to nlohmann's dump(indent): same escapes (\" \\ \b \f \n \r \t,
// other controls as \u00xx, DEL and non-ASCII kept), integers exact, doubles in nlohmann's
// shortest round-trip form ("1.0", "0.1", "1e+100", "-0.0"), NaN and infinities as null, keys
// in the DOM's order (sorted for json, insertion order for ordered_json), binary values as
// {"bytes":[...],"subtype":...}. Strings and keys with invalid UTF-8 get the SanitizeUtf8 text
// (core/utf8.h) where nlohmann would throw or write U+FFFD. Never throws (beyond bad_alloc).
void AppendJson(const nlohmann::json& value, std::string* out, int indent = -1);
void AppendJson(const nlohmann::ordered_json& value, std::string* out, int indent = -1);

// The same as a new string.
std::string DumpJson(const nlohmann::json& value, int indent = -1);
std::string DumpJson(const nlohmann::ordered_json& value, int indent = -1);

}  // namespace phaseout
