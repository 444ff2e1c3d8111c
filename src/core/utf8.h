// The project's one UTF-8 layer (RFC 3629): decoding, validation and sanitising, used by the
// input readers (screening, imports), the normaliser and every renderer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace phaseout {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes one code point of `s` starting at *pos and advances *pos past it.
// REQUIRES: *pos < s.size(). On an invalid or truncated sequence (overlong forms, surrogates,
// values above U+10FFFF included) returns kReplacementChar and advances by one byte.
char32_t DecodeUtf8(std::string_view s, size_t* pos);

// Returns true iff `s` is well-formed UTF-8. On failure *bad_offset (if non-null) is the byte
// offset of the first invalid sequence.
bool IsValidUtf8(std::string_view s, size_t* bad_offset = nullptr);

// Length of the well-formed UTF-8 sequence starting at s[pos] (1..4), or 0 if none starts
// there (stray continuation byte, overlong form, surrogate, above U+10FFFF, truncated).
// REQUIRES: pos < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t pos);

// Returns `bytes` as valid UTF-8: well-formed sequences are kept as they are; every other byte
// becomes the four ASCII characters "\xNN" (lower-case hex). Valid input is returned
// unchanged, so a literal "\x" in the input is not distinguishable from an escaped byte
// (documented in docs/policies.md, "Output formats").
std::string SanitizeUtf8(std::string_view bytes);

// Appends the UTF-8 encoding of `cp` to *out (invalid code points become U+FFFD).
void AppendUtf8(char32_t cp, std::string* out);

// True for code points in the CJK unified ideograph blocks (basic, extension A, compatibility).
inline bool IsCjkIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF);
}

}  // namespace phaseout
