#include "core/csv_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/csv_reader.h"

namespace phaseout {
namespace {

TEST(CsvWriter, PlainCellsAreCopied) {
  EXPECT_EQ(CsvField("Hikvision"), "Hikvision");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("4MP dome camera 2.8mm"), "4MP dome camera 2.8mm");
}

TEST(CsvWriter, QuotesDelimitersQuotesLineBreaksAndOuterSpaces) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(CsvField(" lead"), "\" lead\"");
  EXPECT_EQ(CsvField("trail "), "\"trail \"");
}

TEST(CsvWriter, GuardsFormulaStarts) {
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("-2"), "'-2");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  EXPECT_EQ(CsvField("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvField("a=b"), "a=b");  // only the first character counts
  // Without the guard (cells the program wrote itself) the value is kept as it is.
  EXPECT_EQ(CsvField("-2", false), "-2");
  EXPECT_EQ(CsvField("=1+1", false), "=1+1");
}

TEST(CsvWriter, InvalidUtf8IsSanitised) {
  EXPECT_EQ(CsvField(std::string("ab\xff", 3)), "ab\\xff");
  EXPECT_EQ(CsvField("海康威视"), "海康威视");
}

TEST(CsvWriter, AppendsAfterExistingText) {
  std::string out = "x,";
  AppendCsvField("a\"b", &out);
  EXPECT_EQ(out, "x,\"a\"\"b\"");
}

TEST(CsvWriter, UnguardedCellsReadBackThroughTheReader) {
  std::vector<std::string> values = {"plain", "a,b", "q\"uote", "multi\nline", " sp ", "", "=1", "crlf\r\nend",
                                     "tab\tin", "海康威视"};
  std::string row;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) row.push_back(',');
    AppendCsvField(values[i], &row, false);
  }
  row.push_back('\n');
  std::vector<std::vector<std::string>> records;
  ParseCsvText(
      row, CsvOptions{},
      [&](uint64_t, std::span<std::string> f) { records.emplace_back(f.begin(), f.end()); },
      [&](uint64_t, std::string_view m) { ADD_FAILURE() << m; });
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], values);
}

}  // namespace
}  // namespace phaseout
