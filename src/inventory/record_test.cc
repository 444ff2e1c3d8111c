// NDJSON device report -> ScanRecord.
#include "inventory/record.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace phaseout::inventory
