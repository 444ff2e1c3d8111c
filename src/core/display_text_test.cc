// Tests for the one HTML escaper and the one UTF-8-safe cut.
#include "core/display_text.h"

#include <gtest/gtest.h>

#include <string>

#include "core/utf8.h"

namespace phaseout {
namespace {

TEST(DisplayTextTest, HtmlEscapeEscapesMarkupControlsAndInvalidUtf8) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("line\nnext\ttab\r\x1b[31m"), "line\nnext\ttab\\x0d\\x1b[31m");
  EXPECT_EQ(HtmlEscape("海康 Cam\xE9ra"), "海康 Cam\\xe9ra");  // invalid byte as SanitizeUtf8 writes it
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(DisplayTextTest, Utf8PrefixNeverSplitsASequence) {
  EXPECT_EQ(Utf8Prefix("short", 10), "short");
  EXPECT_EQ(Utf8Prefix("abcdef", 3), "abc");
  EXPECT_EQ(Utf8Prefix("abcdef", 0), "");
  const std::string s = "a\xC3\xA9\xE6\xB5\xB7\xF0\x9F\x93\xB7z";  // a é 海 📷 z: 1+2+3+4+1 bytes
  const size_t expect[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11};
  for (size_t max = 0; max <= s.size(); ++max) {
    std::string_view p = Utf8Prefix(s, max);
    EXPECT_EQ(p.size(), expect[max]) << max;
    EXPECT_TRUE(IsValidUtf8(p)) << max;
  }
  // A complete sequence that ends exactly at the limit is kept.
  EXPECT_EQ(Utf8Prefix("\xC3\xA9x", 2), "\xC3\xA9");
  // Stray continuation bytes: the cut moves back at most three bytes.
  EXPECT_EQ(Utf8Prefix(std::string(10, '\x80'), 8).size(), 5u);
}

}  // namespace
}  // namespace phaseout
