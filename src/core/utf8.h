// Minimal UTF-8 decoding and validation used by the screening normaliser and input readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace phaseout::screening {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes one code point of `s` starting at *pos and advances *pos past it.
// REQUIRES: *pos < s.size(). On an invalid or truncated sequence (overlong forms, surrogates,
// values above U+10FFFF included) returns kReplacementChar and advances by one byte.
char32_t DecodeUtf8(std::string_view s, size_t* pos);

// Returns true iff `s` is well-formed UTF-8. On failure *bad_offset (if non-null) is the byte
// offset of the first invalid sequence.
bool IsValidUtf8(std::string_view s, size_t* bad_offset = nullptr);

// Appends the UTF-8 encoding of `cp` to *out (invalid code points become U+FFFD).
void AppendUtf8(char32_t cp, std::string* out);

// True for code points in the CJK unified ideograph blocks (basic, extension A, compatibility).
inline bool IsCjkIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF);
}

}  // namespace phaseout::screening
