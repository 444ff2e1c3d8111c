// Small string helpers shared by all modules (ASCII only; no locale).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace phaseout {

// Returns `s` without leading and trailing ASCII white space.
std::string_view Trim(std::string_view s);
// Returns an ASCII-lower-cased copy of `s`; other bytes are kept as they are.
std::string AsciiLower(std::string_view s);
// True iff `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
// Splits on every `sep`; empty pieces are kept.
std::vector<std::string_view> Split(std::string_view s, char sep);
// Escapes bytes outside printable ASCII as \xNN so untrusted device bytes are safe to show.
std::string EscapeBytes(std::string_view s, size_t max_len = 512);
// Lower-case hex of the bytes.
std::string HexEncode(std::string_view bytes);

}  // namespace phaseout
