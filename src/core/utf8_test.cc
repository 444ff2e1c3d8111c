// Tests for the project's one UTF-8 layer: validation, decoding, sequence lengths and the
// "\xNN" sanitiser agree with each other on valid and invalid input.
#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace phaseout {
namespace {

TEST(SanitizeUtf8Test, KeepsValidUtf8) {
  EXPECT_EQ(SanitizeUtf8("plain ASCII"), "plain ASCII");
  EXPECT_EQ(SanitizeUtf8("杭州海康威视"), "杭州海康威视");
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x93\xB7 camera"), "\xF0\x9F\x93\xB7 camera");  // U+1F4F7
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid; JSON escapes it
}

TEST(SanitizeUtf8Test, EscapesInvalidBytes) {
  EXPECT_EQ(SanitizeUtf8("\xff"), "\\xff");
  EXPECT_EQ(SanitizeUtf8("ok\x80" "end"), "ok\\x80end");
  EXPECT_EQ(SanitizeUtf8("\xC3"), "\\xc3");                   // truncated 2-byte sequence
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xE0\x80\xAF"), "\\xe0\\x80\\xaf");  // overlong 3-byte
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\\xed\\xa0\\x80");  // surrogate U+D800
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(SanitizeUtf8("\xE6\x9D"), "\\xe6\\x9d");  // cut CJK character
  // Latin-1 "é" from an old firmware.
  EXPECT_EQ(SanitizeUtf8("Cam\xE9ra"), "Cam\\xe9ra");
}

TEST(Utf8Test, ValidatorDecoderAndSanitiserAgree) {
  const std::string cases[] = {"plain", "杭州海康威视", "\xF0\x9F\x93\xB7", "\xEF\xBF\xBD",
                               "\xff", "ok\x80", "\xC3", "\xC0\xAF", "\xE0\x80\xAF",
                               "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE6\x9D", "Cam\xE9ra",
                               std::string("a\0b", 3)};
  for (const std::string& s : cases) {
    size_t bad = 0;
    bool valid = IsValidUtf8(s, &bad);
    EXPECT_EQ(valid, SanitizeUtf8(s) == s) << s;
    bool decodes = true;
    for (size_t pos = 0; pos < s.size();) {
      size_t len = Utf8SequenceLength(s, pos);
      size_t next = pos;
      char32_t cp = DecodeUtf8(s, &next);
      if (len == 0) {
        EXPECT_EQ(cp, kReplacementChar) << s;
        EXPECT_EQ(next, pos + 1) << s;
        if (decodes) {
          EXPECT_EQ(bad, pos) << s;
        }
        decodes = false;
        ++pos;
      } else {
        EXPECT_EQ(next, pos + len) << s;
        pos += len;
      }
    }
    EXPECT_EQ(valid, decodes) << s;
    EXPECT_TRUE(IsValidUtf8(SanitizeUtf8(s))) << s;
  }
}

TEST(Utf8Test, AppendUtf8RoundTrips) {
  for (char32_t cp : {U'A', U'\u00e9', U'\u6d77', U'\U0001F4F7'}) {
    std::string s;
    AppendUtf8(cp, &s);
    size_t pos = 0;
    EXPECT_EQ(DecodeUtf8(s, &pos), cp);
    EXPECT_EQ(pos, s.size());
  }
  std::string surrogate;
  AppendUtf8(0xD800, &surrogate);
  EXPECT_EQ(surrogate, "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace phaseout
