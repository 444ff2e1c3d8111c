// Tests for the RFC 4180 CSV push parser: quoting, CRLF, BOM, chunking, and recovery from
// malformed records with correct line numbers.
#include "core/csv_reader.h"

#include <gtest/gtest.h>

namespace phaseout {
namespace {

struct Collect : CsvSink {
  std::vector<std::pair<uint64_t, std::vector<std::string>>> records;
  std::vector<std::pair<uint64_t, std::string>> errors;
  void OnRecord(uint64_t line, std::span<std::string> fields) override {
    records.emplace_back(line, std::vector<std::string>(fields.begin(), fields.end()));
  }
  void OnError(uint64_t line, std::string_view message) override { errors.emplace_back(line, std::string(message)); }
};

Collect ParseAll(std::string_view text, size_t chunk = 0, CsvOptions options = {}) {
  Collect c;
  CsvParser p(options);
  if (chunk == 0) {
    p.Feed(text, &c);
  } else {
    for (size_t i = 0; i < text.size(); i += chunk) p.Feed(text.substr(i, chunk), &c);
  }
  p.Finish(&c);
  return c;
}

TEST(CsvReaderTest, QuotedFieldsCrlfBomAndMultiline) {
  std::string text = "\xEF\xBB\xBFid,desc\r\n1,\"Hikvision, \"\"4MP\"\"\"\r\n2,\"two\r\nlines\"\r\n3,plain";
  for (size_t chunk : {0, 1, 2, 3, 7}) {
    Collect c = ParseAll(text, chunk);
    ASSERT_EQ(c.records.size(), 4u) << chunk;
    EXPECT_TRUE(c.errors.empty());
    EXPECT_EQ(c.records[0].second[0], "id");
    EXPECT_EQ(c.records[1].second[1], "Hikvision, \"4MP\"");
    EXPECT_EQ(c.records[2].first, 3u);
    EXPECT_EQ(c.records[2].second[1], "two\r\nlines");  // verbatim inside quotes
    EXPECT_EQ(c.records[3].first, 5u);
    EXPECT_EQ(c.records[3].second[1], "plain");
  }
}

// A file that starts with the first bytes of a BOM but not a whole one (here U+FAFF and the
// full-width parenthesis U+FF08, both EF-led) keeps those bytes, once, in the first field.
TEST(CsvReaderTest, PartialBomAtTheStartIsDataOnce) {
  for (std::string text : {std::string("\xEF\xAB\xBF x\n"), std::string("\xEF\xBC\x88" "a\xEF\xBC\x89,b\n2,c"),
                           std::string("\xEF\xBB"), std::string("\xEF")}) {
    for (size_t chunk : {0, 1, 2, 3}) {
      Collect c = ParseAll(text, chunk);
      EXPECT_TRUE(c.errors.empty());
      ASSERT_FALSE(c.records.empty()) << chunk;
      size_t expected = text.find('2') != std::string::npos ? 2u : 1u;
      EXPECT_EQ(c.records.size(), expected) << chunk;
      EXPECT_EQ(c.records[0].second[0].substr(0, 1), "\xEF") << chunk;
    }
  }
}

TEST(CsvReaderTest, EmptyFieldsBlankLinesAndTrailingDelimiter) {
  Collect c = ParseAll("a,,c\n\n,\n\"\"\n");
  ASSERT_EQ(c.records.size(), 3u);
  EXPECT_EQ(c.records[0].second, (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(c.records[1].second, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(c.records[2].second, (std::vector<std::string>{""}));
  EXPECT_EQ(c.records[2].first, 4u);
}

TEST(CsvReaderTest, CharacterAfterClosingQuoteCostsOneLine) {
  Collect c = ParseAll("h1,h2\n1,\"bad\"x\n2,ok\n");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].first, 2u);
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[1].first, 3u);
  EXPECT_EQ(c.records[1].second[1], "ok");
}

TEST(CsvReaderTest, UnterminatedQuoteResynchronisesOnNextLine) {
  Collect c = ParseAll("h1,h2\n1,\"never closed\n2,ok\n3,fine\n");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].first, 2u);
  EXPECT_NE(c.errors[0].second.find("unterminated"), std::string::npos);
  ASSERT_EQ(c.records.size(), 3u);
  EXPECT_EQ(c.records[1].first, 3u);
  EXPECT_EQ(c.records[2].first, 4u);
  EXPECT_EQ(c.records[2].second[1], "fine");
}

TEST(CsvReaderTest, StrayQuoteClosedLaterOnlyLosesTheBadLine) {
  // The quote opened on line 2 is "closed" on line 4, followed by a character: error; the
  // parser drops line 2 and re-reads lines 3 and 4.
  Collect c = ParseAll("h1,h2\n1,\"x\n2,y\n3,\"z\"w\n4,v\n");
  ASSERT_GE(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].first, 2u);
  std::vector<uint64_t> lines;
  for (auto& r : c.records) lines.push_back(r.first);
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 3, 5}));
}

TEST(CsvReaderTest, HugeRecordIsReportedAndSkipped) {
  CsvOptions o;
  o.max_record_bytes = 64;
  std::string text = "h\n" + std::string(200, 'x') + "\nok\n";
  Collect c = ParseAll(text, 16, o);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].first, 2u);
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[1].second[0], "ok");
  EXPECT_EQ(c.records[1].first, 3u);
}

TEST(CsvReaderTest, LoneCrAndQuoteInsideUnquotedField) {
  Collect c = ParseAll("a,5\" monitor\rb,c");
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[0].second[1], "5\" monitor");
  EXPECT_EQ(c.records[1].first, 2u);
}

TEST(CsvReaderTest, CellsWithSemicolons) {
  std::vector<std::string> cells;
  EXPECT_TRUE(ParseCsvCells("Hikvision;\"A;B\";海康威视", ';', &cells));
  EXPECT_EQ(cells, (std::vector<std::string>{"Hikvision", "A;B", "海康威视"}));
  EXPECT_TRUE(ParseCsvCells("", ';', &cells));
  EXPECT_TRUE(cells.empty());
}

TEST(CsvReaderTest, ParseCsvTextGivesRecordsAndErrorsWithLines) {
  std::vector<std::pair<uint64_t, std::string>> seen;
  ParseCsvText(
      "Registry,Assignment\nMA-L,\"Acme, Inc.\nHQ\"\nbad,\"x\"y\nMA-M,ABC1234\n", CsvOptions{},
      [&](uint64_t line, std::span<std::string> f) { seen.emplace_back(line, f[0] + "|" + f[1]); },
      [&](uint64_t line, std::string_view) { seen.emplace_back(line, "error"); });
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], (std::pair<uint64_t, std::string>(1, "Registry|Assignment")));
  EXPECT_EQ(seen[1], (std::pair<uint64_t, std::string>(2, "MA-L|Acme, Inc.\nHQ")));
  EXPECT_EQ(seen[2], (std::pair<uint64_t, std::string>(4, "error")));
  EXPECT_EQ(seen[3], (std::pair<uint64_t, std::string>(5, "MA-M|ABC1234")));
}

}  // namespace
}  // namespace phaseout
