// Tests of the parsers of server answers and of the request bodies.
#include "agent/messages.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace phaseout::agent {
namespace {

TEST(EnrolResponse, ParsesAndRefuses) {
  auto k = ParseEnrolResponse(R"({"agent_id":"a1","key":"tok","sites":["ottawa-hq","toronto"]})");
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->agent_id, "a1");
  EXPECT_EQ(k->key, "tok");
  EXPECT_EQ(k->sites.size(), 2u);
  EXPECT_TRUE(ParseEnrolResponse(R"({"agent_id":12,"key":"tok","sites":[]})"));
  EXPECT_FALSE(ParseEnrolResponse(R"({"agent_id":"a","sites":[]})"));
  EXPECT_FALSE(ParseEnrolResponse(R"({"agent_id":"a","key":"","sites":[]})"));
  EXPECT_FALSE(ParseEnrolResponse(R"({"agent_id":"a","key":"k","sites":[1]})"));
  EXPECT_FALSE(ParseEnrolResponse("<html>"));
  EXPECT_FALSE(ParseEnrolResponse(""));
}

TEST(ScheduleResponse, ParsesAndBoundsIntervals) {
  auto s = ParseScheduleResponse(
      R"({"scans":[{"site":"a","targets":["127.0.0.0/24"],"ports":"80,443","interval_s":86400},
                   {"site":"b","targets":["127.0.1.1"],"interval_s":1}]})");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].ports, "80,443");
  EXPECT_EQ((*s)[0].interval_s, 86400u);
  EXPECT_EQ((*s)[1].ports, "");
  EXPECT_EQ((*s)[1].interval_s, 60u);  // raised: no scan loops
  EXPECT_TRUE(ParseScheduleResponse(R"({"scans":[]})")->empty());
  EXPECT_FALSE(ParseScheduleResponse(R"({"scans":[{"targets":["127.0.0.1"]}]})"));
  EXPECT_FALSE(ParseScheduleResponse(R"({"scans":[{"site":"a","targets":[]}]})"));
  EXPECT_FALSE(ParseScheduleResponse(R"({"scans":[{"site":"a","targets":["x"],"interval_s":-1}]})"));
  EXPECT_FALSE(ParseScheduleResponse(R"({"scans":{}})"));
  EXPECT_FALSE(ParseScheduleResponse("[]"));
}

TEST(ErrorBody, DescribesContractErrorsAndJunk) {
  EXPECT_EQ(DescribeErrorBody(R"({"error":{"code":"too_large","message":"body over 8 MiB"}})"),
            "too_large: body over 8 MiB");
  EXPECT_EQ(DescribeErrorBody(""), "(no body)");
  EXPECT_EQ(DescribeErrorBody(std::string("a\x01\nb", 4)), "a??b");
  EXPECT_EQ(DescribeErrorBody(std::string(300, 'x')).size(), 203u);
}

TEST(RequestBodies, MatchTheContract) {
  ScanHeader h;
  h.scan_key = "k1";
  h.site = "s";
  h.started_at = "2026-12-01T00:00:00Z";
  h.rules_version = "sha256:abc";
  h.scope = {"127.0.0.0/24"};
  auto j = nlohmann::json::parse(ScanStartBody(h));
  EXPECT_EQ(j["scan_key"], "k1");
  EXPECT_EQ(j["site"], "s");
  EXPECT_EQ(j["rules_version"], "sha256:abc");
  EXPECT_EQ(j["scope"][0], "127.0.0.0/24");
  EXPECT_EQ(j["source"], "agent");
  EXPECT_EQ(ScanCompleteBody(12, false), R"({"complete":false,"records":12})");
  auto a = ParseChunkAnswer(R"({"stored":4,"duplicates":1})");
  EXPECT_EQ(a.stored, 4u);
  EXPECT_EQ(a.duplicates, 1u);
  EXPECT_EQ(ParseChunkAnswer("junk").stored, 0u);
}

}  // namespace
}  // namespace phaseout::agent
