// Tests for the renderer text helpers: CSV quoting, table cells (UTF-8 sanitising: core/utf8_test.cc).
#include "report/text.h"

#include <gtest/gtest.h>

#include <random>

#include "core/display_text.h"

namespace phaseout::report {
namespace {

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

TEST(HtmlTextTest, SameAsHtmlEscape) {
  for (std::string v : {std::string(""), std::string("DS-2CD2143G0-I"), std::string("<b>&\"'"),
                        std::string("a\x01\n\tb\x7f"), std::string("caf\xc3\xa9"), std::string("\xff\xfe"),
                        std::string("nul\0in", 6)}) {
    EXPECT_EQ(HtmlText(v), HtmlEscape(v)) << v;
  }
  // Random bytes, biased towards printable ASCII so both paths are taken.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string v(rng() % 24, ' ');
    for (char& c : v) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 0x20 + rng() % 95);
    ASSERT_EQ(HtmlText(v), HtmlEscape(v)) << v;
  }
}

}  // namespace
}  // namespace phaseout::report
