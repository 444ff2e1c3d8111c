// NDJSON device report -> ScanRecord.
#include "inventory/record.h"

#include <gtest/gtest.h>

#include "inventory/testing/record_reference.h"

namespace phaseout::inventory {
namespace {

TEST(Record, ParsesScanNdjsonLine) {
  auto r = ParseScanRecord(
      R"({"ip":"127.16.0.5","open_ports":[80],"mac":"AA-BB-CC-00-00-01","manufacturer":"hikvision","brand":"lts",)"
      R"("device_type":"camera","model":"DS-2CD2143G2-I","firmware":"V5.7","serial":null,"confidence":0.9,)"
      R"("evidence":[],"verdicts":[{"policy":"us-ndaa-889","status":"prohibited","reason":"x","clause":"889"},)"
      R"({"policy":"uk-2022","status":"review","reason":"y","clause":""}],"notes":[]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->mac, "aa:bb:cc:00:00:01");
  EXPECT_EQ(r->brand, "lts");
  EXPECT_EQ(r->serial, "");
  ASSERT_EQ(r->prohibited.size(), 1u);
  EXPECT_EQ(r->review.at(0), "uk-2022");
}

TEST(Record, UnknownMakerIsEmpty) {
  auto r = ParseScanRecord(R"({"ip":"127.0.0.1","manufacturer":"unknown"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->manufacturer, "");
}

TEST(Record, UnknownVerdictIsNeitherProhibitedNorReview) {
  auto r = ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":[{"policy":"p","status":"unknown"}]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->prohibited.empty());
  EXPECT_TRUE(r->review.empty());
}

TEST(Record, ParsesScanStartAndEndRecordsByKind) {
  auto kind = [](std::string_view line) {
    auto l = ParseScanLine(line);
    EXPECT_TRUE(l) << line;
    return l ? l->kind : ScanLineKind::kDevice;
  };
  EXPECT_EQ(kind(R"({"type":"device","ip":"127.0.0.1"})"), ScanLineKind::kDevice);
  EXPECT_EQ(kind(R"({"ip":"127.0.0.1"})"), ScanLineKind::kDevice);
  EXPECT_EQ(kind(R"({"type":"scan_start","scan_id":"s"})"), ScanLineKind::kOther);
  EXPECT_EQ(kind(R"({"type":"scan_end","complete":true})"), ScanLineKind::kOther);
  EXPECT_EQ(kind(R"({"type":"scan_end","complete":false})"), ScanLineKind::kIncompleteEnd);
  // A discovery replier outside the scan's targets is not a device of the site.
  EXPECT_EQ(kind(R"({"type":"device","ip":"127.99.0.1","out_of_scope":true})"), ScanLineKind::kOther);
  EXPECT_EQ(kind(R"({"type":"device","ip":"127.0.0.1","out_of_scope":false})"), ScanLineKind::kDevice);
  auto device = ParseScanLine(R"({"type":"device","ip":"127.0.0.1","mac":"AA-BB-CC-00-00-01"})");
  ASSERT_TRUE(device);
  EXPECT_EQ(device->record.mac, "aa:bb:cc:00:00:01");
  EXPECT_FALSE(ParseScanLine("not json"));
  EXPECT_FALSE(ParseScanLine(R"({"type":"device"})"));  // a device report needs an ip
}

TEST(Record, RejectsMalformed) {
  EXPECT_FALSE(ParseScanRecord("{\"ip\":"));
  EXPECT_FALSE(ParseScanRecord("[1,2]"));
  EXPECT_FALSE(ParseScanRecord(R"({"mac":"aa:bb:cc:dd:ee:ff"})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":5})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":[{"policy":"p","status":"maybe"}]})"));
}

TEST(Record, ChecksTypesOfTheFieldsItUsesAndSkipsTheRest) {
  // Nested fields that are not used (evidence with its own policy/status keys) are skipped.
  auto r = ParseScanRecord(
      R"({"ip":"127.0.0.1","evidence":[{"policy":"x","status":"bogus","nested":{"ip":5}}],)"
      R"("verdicts":[{"policy":"p","status":"review","extra":{"status":1}}],"model":null})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->review, std::vector<std::string>{"p"});
  EXPECT_EQ(r->model, "");
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":{}})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":[1]})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":[[{"policy":"p","status":"clear"}]]})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":[{"policy":1,"status":"clear"}]})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","verdicts":[{"policy":"p"}]})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1","model":["x"]})"));
  EXPECT_FALSE(ParseScanRecord(R"({"ip":"127.0.0.1"} trailing)"));
  auto bad = ParseScanRecord(R"({"ip":"127.0.0.1","serial":12})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'serial'"), std::string::npos);
  // A non-device record is not checked as a device.
  auto end = ParseScanLine(R"({"type":"scan_end","complete":false,"ip":7})");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->kind, ScanLineKind::kIncompleteEnd);
}

TEST(Record, MacNormalisation) {
  EXPECT_EQ(NormaliseMac("AABB.CC00.0001"), "aa:bb:cc:00:00:01");
  EXPECT_EQ(NormaliseMac("00:00:00:00:00:00"), "");
  EXPECT_EQ(NormaliseMac("ff:ff:ff:ff:ff:ff"), "");
  EXPECT_EQ(NormaliseMac("zz:bb:cc:00:00:01"), "");
}

// The hand-written scanner accepts and rejects exactly what the former nlohmann-based parser
// did, with the same messages and records (fuzz/scan_line_fuzz.cc does the same on random input).
TEST(Record, ScannerAgreesWithTheReferenceParser) {
  const std::string_view lines[] = {
      R"({"ip":"127.0.0.1"})",
      "\xEF\xBB\xBF{\"ip\":\"127.0.0.1\"}",  // byte-order mark
      "\xEF\xBB{\"ip\":\"127.0.0.1\"}",      // broken byte-order mark
      " \t\r\n{\"ip\" : \"127.0.0.1\" } \n",
      "",
      " ",
      "{}",
      "[]",
      "null",
      "{\"ip\":\"127.0.0.1\"}{}",
      "{\"ip\":\"127.0.0.1\",}",
      "{\"ip\":\"127.0.0.1\" \"mac\":\"x\"}",
      "{,}",
      "{\"ip\":\"127.0.0.1\",\"a\":[1,]}",
      "{\"ip\":\"127.0.0.1\",\"a\":[,1]}",
      "{\"ip\":\"127.0.0.1\",\"a\":[1 2]}",
      "{\"ip\":\"127.0.0.1\",\"a\":{\"b\"}}",
      "{\"ip\":\"127.0.0.1\",\"a\":{\"b\":}}",
      "{\"ip\":\"127.0.0.1\",\"a\":[1}",
      "{\"ip\":\"127.0.0.1\",\"a\":{]}",
      "{\"ip\":\"127.0.0.1\"",
      // Numbers.
      R"({"ip":"127.0.0.1","n":[0,-0,1,-1,0.5,-0.5e-3,1E+2,1e-400,123456789012345678901234567890]})",
      R"({"ip":"127.0.0.1","n":1e400})",
      R"({"ip":"127.0.0.1","n":-1e400})",
      R"({"ip":"127.0.0.1","n":0.0000000001e317})",
      R"({"ip":"127.0.0.1","n":01})",
      R"({"ip":"127.0.0.1","n":-})",
      R"({"ip":"127.0.0.1","n":1.})",
      R"({"ip":"127.0.0.1","n":.5})",
      R"({"ip":"127.0.0.1","n":1e})",
      R"({"ip":"127.0.0.1","n":1e+})",
      R"({"ip":"127.0.0.1","n":+1})",
      R"({"ip":"127.0.0.1","n":1a})",
      R"({"ip":"127.0.0.1","n":NaN})",
      R"({"ip":"127.0.0.1","n":tru})",
      R"({"ip":"127.0.0.1","n":nulll})",
      // Strings: escapes, surrogates, UTF-8, control characters.
      R"({"ip":"127.0.0.\u0031","model":"a\"b\\c\/d\b\f\n\r\t","brand":"\u00e9\u20AC\ud83d\ude00"})",
      R"({"ip":"127.0.0.1","model":"\ud83d"})",
      R"({"ip":"127.0.0.1","model":"\ud83dx"})",
      R"({"ip":"127.0.0.1","model":"\ud83d\u0041"})",
      R"({"ip":"127.0.0.1","model":"\ude00"})",
      R"({"ip":"127.0.0.1","model":"\u12"})",
      R"({"ip":"127.0.0.1","model":"\u12G4"})",
      R"({"ip":"127.0.0.1","model":"\x"})",
      R"({"ip":"127.0.0.1","model":"\u0000"})",
      "{\"ip\":\"127.0.0.1\",\"model\":\"tab\there\"}",
      "{\"ip\":\"127.0.0.1\",\"model\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}",
      "{\"ip\":\"127.0.0.1\",\"model\":\"\xC0\xAF\"}",          // overlong
      "{\"ip\":\"127.0.0.1\",\"model\":\"\xED\xA0\x80\"}",      // encoded surrogate
      "{\"ip\":\"127.0.0.1\",\"model\":\"\xF4\x90\x80\x80\"}",  // above U+10FFFF
      "{\"ip\":\"127.0.0.1\",\"model\":\"\xE2\x82\"}",          // truncated
      "{\"ip\":\"127.0.0.1\",\"model\":\"\x80\"}",
      "{\"ip\":\"127.0.0.1\",\"model\":\"\xFF\"}",
      "{\"ip\":\"127.0.0.1\"}\xC3\xA9",
      std::string_view("{\"ip\":\"127.0.0.1\",\"model\":\"a\0b\"}", 30),
      std::string_view("{\"ip\":\"127.0.0.1\"}\0", 19),
      std::string_view("{\"ip\":\"127.0.0.1\"} \0 x", 22),
      std::string_view("\0{\"ip\":\"127.0.0.1\"}", 19),
      std::string_view("{\"ip\":\"127.0.0.1\",\0}", 20),
      // Escaped keys, duplicate keys, fields of other types, verdicts.
      R"({"\u0069p":"127.0.0.1","m\u0061c":"AA:BB:CC:00:00:01"})",
      R"({"ip":"127.0.0.1","ip":"127.0.0.2"})",
      R"({"ip":"127.0.0.1","model":5,"model":"m"})",
      R"({"ip":"127.0.0.1","model":"m","model":5})",
      R"({"ip":"127.0.0.1","model":{"a":1}})",
      R"({"ip":null})",
      R"({"ip":"127.0.0.1","manufacturer":"UNKNOWN","mac":"00:00:00:00:00:00"})",
      R"({"ip":"127.0.0.1","verdicts":null})",
      R"({"ip":"127.0.0.1","verdicts":"x"})",
      R"({"ip":"127.0.0.1","verdicts":[{"policy":"p","status":"prohibited"},{"policy":"q","status":"review"}]})",
      R"({"ip":"127.0.0.1","verdicts":[{"policy":"p","status":"prohibited","policy":"q"}]})",
      R"({"ip":"127.0.0.1","verdicts":[{"policy":{"x":1},"status":"clear"}]})",
      R"({"ip":"127.0.0.1","verdicts":[{"policy":["x"],"status":"clear"}]})",
      R"({"ip":"127.0.0.1","verdicts":[{"p\u006flicy":"p","status":"review"}]})",
      R"({"ip":"127.0.0.1","verdicts":[{"policy":"p","status":"bad"},{"policy":1}]})",
      R"({"ip":"127.0.0.1","verdicts":[],"verdicts":{}})",
      R"({"type":"scan_end","complete":false})",
      R"({"type":"scan_end","complete":false,"complete":true})",
      R"({"type":"scan_end","complete":[false]})",
      R"({"type":["device"],"ip":"127.0.0.1"})",
      R"({"type":"device","ip":"127.0.0.1","out_of_scope":true,"out_of_scope":{}})",
      R"({"type":"d\u0065vice","ip":"127.0.0.1"})",
      R"([{"ip":"127.0.0.1"}])",
      R"({"ip":"127.0.0.1","deep":[[[[[[[[[[[[[[[[[[[[{"a":[{"b":[]}]}]]]]]]]]]]]]]]]]]]]})",
  };
  std::vector<std::string> all(std::begin(lines), std::end(lines));
  all.push_back(R"({"ip":"127.0.0.1","n":)" + std::string(320, '9') + "}");         // overflows a double
  all.push_back(R"({"ip":"127.0.0.1","n":)" + std::string(308, '9') + "}");         // does not
  all.push_back(R"({"ip":"127.0.0.1","n":0.)" + std::string(400, '1') + "e-5}");
  for (const std::string& line : all) {
    auto got = ParseScanLine(line);
    auto want = testing::ReferenceParseScanLine(line);
    ASSERT_EQ(static_cast<bool>(got), static_cast<bool>(want)) << line;
    if (!want) {
      EXPECT_EQ(got.error().message, want.error().message) << line;
      continue;
    }
    EXPECT_EQ(got->kind, want->kind) << line;
    const ScanRecord& a = got->record;
    const ScanRecord& b = want->record;
    EXPECT_EQ(a.ip, b.ip) << line;
    EXPECT_EQ(a.mac, b.mac) << line;
    EXPECT_EQ(a.serial, b.serial) << line;
    EXPECT_EQ(a.manufacturer, b.manufacturer) << line;
    EXPECT_EQ(a.brand, b.brand) << line;
    EXPECT_EQ(a.device_type, b.device_type) << line;
    EXPECT_EQ(a.model, b.model) << line;
    EXPECT_EQ(a.firmware, b.firmware) << line;
    EXPECT_EQ(a.prohibited, b.prohibited) << line;
    EXPECT_EQ(a.review, b.review) << line;
  }
  // A deep nesting is scanned without recursion.
  std::string deep = "{\"ip\":\"127.0.0.1\",\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_TRUE(ParseScanLine(deep));
  auto escaped = ParseScanRecord(R"({"ip":"127.0.0.1","model":"\u00e9\ud83d\ude00\n"})");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->model, "\xC3\xA9\xF0\x9F\x98\x80\n");
}

}  // namespace
}  // namespace phaseout::inventory
