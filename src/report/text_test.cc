// Tests for the renderer text helpers: UTF-8 sanitising, CSV quoting, table cells.
#include "report/text.h"

#include <gtest/gtest.h>

namespace phaseout::report {
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

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rlf"), "\"cr\rlf\"");
  EXPECT_EQ(CsvField(" padded "), "\" padded \"");
}

TEST(CsvFieldTest, GuardsFormulas) {
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("-2", false), "-2");
}

TEST(CsvFieldTest, SanitisesInvalidUtf8) { EXPECT_EQ(CsvField("a\xff"), "a\\xff"); }

TEST(TableCellTest, EscapesAndCuts) {
  EXPECT_EQ(TableCell("short", 10), "short");
  EXPECT_EQ(TableCell("\x1b[31mred", 20), "\\x1b[31mred");  // no terminal escape reaches the TTY
  EXPECT_EQ(TableCell("DS-2CD2386G2-IU-VERY-LONG-MODEL", 10), "DS-2CD2...");
  EXPECT_EQ(TableCell("abcdefghij", 10), "abcdefghij");
}

}  // namespace
}  // namespace phaseout::report
