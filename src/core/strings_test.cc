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

}  // namespace
}  // namespace phaseout
