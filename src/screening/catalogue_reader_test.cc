// Tests for the catalogue readers: column recognition, --map, passthrough, JSON lines, and bad
// input (unbalanced quotes, wrong column counts, invalid UTF-8, BOM, CRLF, empty files).
#include "screening/catalogue_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace phaseout::screening {
namespace {

struct Lines : LineSink {
  std::vector<CatalogueLine> lines;
  std::vector<std::pair<uint64_t, std::string>> errors;
  void OnLine(const CatalogueLine& l) override { lines.push_back(l); }
  void OnLineError(uint64_t line, const std::string& m) override { errors.emplace_back(line, m); }
};

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/../tests/fixtures/screen/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CatalogueReaderTest, CsvColumnsCaseInsensitivePassthroughAndCrlf) {
  Lines s;
  ReaderOptions o;
  ASSERT_TRUE(ReadCatalogueFromString(Fixture("catalogue.csv"), "catalogue.csv", o, &s).ok());
  EXPECT_TRUE(s.errors.empty());
  ASSERT_EQ(s.lines.size(), 6u);
  const auto& a1 = s.lines[0];
  EXPECT_EQ(a1.line_id, "A1");
  EXPECT_EQ(a1.get(Field::kManufacturer), "Hikvision");
  EXPECT_EQ(a1.get(Field::kModel), "DS-2CD2143G2-I");
  EXPECT_EQ(a1.get(Field::kSupplier), "ADI Global");
  EXPECT_EQ(a1.get(Field::kDate), "2024-03-01");
  ASSERT_EQ(a1.passthrough.size(), 1u);
  EXPECT_EQ(a1.passthrough[0].first, "cost_center");
  EXPECT_EQ(a1.passthrough[0].second, "CC-1");
  EXPECT_EQ(a1.line_number, 2u);
}

TEST(CatalogueReaderTest, MapRenamesColumnsAndMissingLineIdIsRowNumber) {
  Lines s;
  ReaderOptions o;
  o.column_map = {{"Mfr Name", "manufacturer"}, {"Item", "description"}};
  ASSERT_TRUE(ReadCatalogueFromString("Item,MFR NAME\ncamera,Dahua\nlens,Axis\n", "x.csv", o, &s).ok());
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[1].line_id, "2");
  EXPECT_EQ(s.lines[1].get(Field::kManufacturer), "Axis");
  EXPECT_TRUE(s.lines[1].passthrough.empty());
}

TEST(CatalogueReaderTest, JsonLinesDetectedByContent) {
  Lines s;
  ReaderOptions o;
  ASSERT_TRUE(ReadCatalogueFromString(Fixture("catalogue.jsonl"), "-", o, &s).ok());
  ASSERT_EQ(s.lines.size(), 3u);
  EXPECT_EQ(s.lines[0].line_id, "J1");
  EXPECT_EQ(s.lines[0].get(Field::kDescription), "ZTE MF920U 4G hotspot");
  EXPECT_EQ(s.lines[2].line_id, "3");
  Lines bad;
  ASSERT_TRUE(ReadCatalogueFromString("{\"description\":\"a\"}\nnot json\n[1]\n{\"line_id\":5}\n", "-", o, &bad).ok());
  EXPECT_EQ(bad.lines.size(), 2u);
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].first, 2u);
  EXPECT_EQ(bad.errors[1].first, 3u);
  EXPECT_EQ(bad.lines[1].line_id, "5");
}

TEST(CatalogueReaderTest, MalformedCsvReportsLinesAndScreensTheRest) {
  Lines s;
  ReaderOptions o;
  ASSERT_TRUE(ReadCatalogueFromString(Fixture("malformed.csv"), "malformed.csv", o, &s).ok());
  std::vector<std::string> ids;
  for (const auto& l : s.lines) ids.push_back(l.line_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"2", "4"}));
  std::vector<uint64_t> bad;
  for (const auto& e : s.errors) bad.push_back(e.first);
  EXPECT_EQ(bad, (std::vector<uint64_t>{2, 4, 6, 7}));
  for (const auto& e : s.errors) EXPECT_FALSE(e.second.empty());
}

TEST(CatalogueReaderTest, EmptyInputsAndHeaderWithoutKnownColumns) {
  Lines s;
  ReaderOptions o;
  EXPECT_FALSE(ReadCatalogueFromString("", "empty.csv", o, &s).ok());
  EXPECT_FALSE(ReadCatalogueFromString("\xEF\xBB\xBF", "bom.csv", o, &s).ok());
  Lines none;
  auto st = ReadCatalogueFromString("foo,bar\n1,2\n", "x.csv", o, &none);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("maps to no known column"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("--map"), std::string::npos);
  EXPECT_TRUE(none.lines.empty());   // no line reaches the sink: no "clear" rows for unread lines
  EXPECT_TRUE(none.errors.empty());
  Lines ok;
  EXPECT_TRUE(ReadCatalogueFromString("\xEF\xBB\xBF" "description\r\n", "h.csv", o, &ok).ok());
  EXPECT_TRUE(ok.lines.empty());
}

TEST(CatalogueReaderTest, HugeJsonLineIsSkipped) {
  Lines s;
  ReaderOptions o;
  o.max_json_line_bytes = 100;
  std::string data = "{\"description\":\"" + std::string(500, 'x') + "\"}\n{\"description\":\"ok\"}\n";
  ASSERT_TRUE(ReadCatalogueFromString(data, "-", o, &s).ok());
  ASSERT_EQ(s.lines.size(), 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].first, 1u);
  EXPECT_EQ(s.lines[0].line_number, 2u);
}

}  // namespace
}  // namespace phaseout::screening

namespace phaseout::screening {
namespace {

TEST(CatalogueReaderTest, NotTextIsRefusedBeforeAnyLine) {
  ReaderOptions o;
  Lines a;
  std::string utf16("\xFF\xFE" "d\0e\0s\0c\0\n\0", 12);
  auto st = ReadCatalogueFromString(utf16, "u16.csv", o, &a);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("UTF-16"), std::string::npos) << st.error().message;
  std::string no_bom("d\0e\0s\0c\0r\0i\0p\0t\0i\0o\0n\0\n\0", 24);
  st = ReadCatalogueFromString(no_bom, "u16.csv", o, &a);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("UTF-16"), std::string::npos) << st.error().message;
  std::string binary("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0", 20);
  st = ReadCatalogueFromString(binary, "a.out", o, &a);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("not text"), std::string::npos) << st.error().message;
  EXPECT_TRUE(a.lines.empty());
}

TEST(CatalogueReaderTest, SemicolonAndTabDelimitersAreDetected) {
  ReaderOptions o;
  Lines semi;
  ASSERT_TRUE(ReadCatalogueFromString("line_id;description;manufacturer\nA;Kamera, 4MP;Axis\n", "eu.csv", o, &semi).ok());
  ASSERT_EQ(semi.lines.size(), 1u);
  EXPECT_EQ(semi.lines[0].get(Field::kDescription), "Kamera, 4MP");
  EXPECT_EQ(semi.lines[0].get(Field::kManufacturer), "Axis");
  Lines tab;
  ASSERT_TRUE(ReadCatalogueFromString("description\tmanufacturer\nSwitch, 24 port\tCisco\n", "t.txt", o, &tab).ok());
  ASSERT_EQ(tab.lines.size(), 1u);
  EXPECT_EQ(tab.lines[0].get(Field::kManufacturer), "Cisco");
}

}  // namespace
}  // namespace phaseout::screening
