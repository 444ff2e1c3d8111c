#include "core/strings.h"

#include <gtest/gtest.h>

namespace phaseout {
namespace {

TEST(StringsTest, TrimRemovesAsciiSpaceOnly) {
  EXPECT_EQ(Trim("  a b \r\n"), "a b");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t "), "");
}

TEST(StringsTest, CaseHelpers) {
  EXPECT_EQ(AsciiLower("DNVRS-Webs"), "dnvrs-webs");
  EXPECT_TRUE(EqualsIgnoreCase("Server", "SERVER"));
  EXPECT_FALSE(EqualsIgnoreCase("Server", "Serve"));
  EXPECT_TRUE(StartsWithIgnoreCase("RTSP/1.0 200 OK", "rtsp/"));
  EXPECT_FALSE(StartsWithIgnoreCase("RT", "rtsp/"));
}

TEST(StringsTest, SplitKeepsEmptyPieces) {
  auto parts = Split("a,,b,", ',');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
  EXPECT_EQ(parts[3], "");
}

TEST(StringsTest, EscapeBytesMakesDeviceBytesPrintable) {
  EXPECT_EQ(EscapeBytes(std::string("\x00\x10ok\\", 5)), "\\x00\\x10ok\\\\");
  EXPECT_EQ(EscapeBytes("abcdef", 3), "abc...");
  EXPECT_EQ(HexEncode(std::string("\x00\xff", 2)), "00ff");
}

TEST(StringsTest, HtmlEscapeEscapesMarkupControlsAndInvalidUtf8) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("line\nnext\ttab\r\x1b[31m"), "line\nnext\ttab\\x0d\\x1b[31m");
  EXPECT_EQ(HtmlEscape("海康 Cam\xE9ra"), "海康 Cam\\xe9ra");  // invalid byte as SanitizeUtf8 writes it
  EXPECT_EQ(HtmlEscape(""), "");
}

}  // namespace
}  // namespace phaseout
