// Whole-session tests of the rtsp probe against recorded replies (testdata/, see README).
#include "probes/rtsp/probe.h"

#include <gtest/gtest.h>

#include "probes/testing/fake_engine.h"
#include "probes/testing/golden.h"

namespace phaseout::probes::rtsp {
namespace {

using testing::FakeReply;
using testing::RunFakeSession;
using testing::Value;
using testing::Values;

// Replies from rtsp/testdata/<scenario>/{options,describe}.rtsp; a missing file means the
// peer closes without a word.
std::function<FakeReply(const Step&, int)> ScenarioReplies(const std::string& scenario, bool close_after = false) {
  return [=](const Step& step, int) {
    std::string method = testing::RequestMethod(step.request);
    std::string file = method == "OPTIONS" ? "options.rtsp" : "describe.rtsp";
    FakeReply reply;
    reply.close_after = close_after;  // RTSP servers keep the connection open
    if (auto bytes = testing::ReadTestdata("rtsp/testdata/" + scenario + "/" + file)) reply.bytes = *bytes;
    else reply.close_after = true;
    return reply;
  };
}

testing::FakeRun RunScenario(const std::string& scenario) {
  RtspProbe probe;
  return RunFakeSession(probe, {"127.0.0.1", 554}, ScenarioReplies(scenario));
}

class RtspGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RtspGolden, MatchesExpectedObservations) {
  testing::FakeRun run = RunScenario(GetParam());
  EXPECT_TRUE(run.finished);
  testing::ExpectGolden(run.observations, "rtsp/testdata/" + GetParam() + "/expected.txt");
}

INSTANTIATE_TEST_SUITE_P(Recorded, RtspGolden,
                         ::testing::Values("hikvision_camera", "hikvision_old_dvr", "dahua_rtsp_server_3", "dahua_old",
                                           "http_style", "garbage", "cseq_mismatch"));

TEST(RtspProbe, HikvisionDoubleSpaceDateAndCameraRealm) {
  testing::FakeRun run = RunScenario("hikvision_camera");
  ASSERT_EQ(run.steps.size(), 2u);
  EXPECT_EQ(testing::RequestMethod(run.steps[0].request), "OPTIONS");
  EXPECT_EQ(testing::RequestMethod(run.steps[1].request), "DESCRIBE");
  EXPECT_FALSE(run.steps[1].new_connection);
  EXPECT_FALSE(run.responses[0].timed_out);  // framed at the empty line, no waiting
  const auto& o = run.observations;
  EXPECT_EQ(Value(o, "rtsp.options.status"), "200");
  EXPECT_EQ(Value(o, "rtsp.describe.status"), "401");
  EXPECT_EQ(Value(o, "rtsp.date_layout"), "hikvision-dow-mon-day-year");
  EXPECT_EQ(Value(o, "rtsp.date_double_space"), "true");
  EXPECT_EQ(Value(o, "rtsp.no_server_header"), "true");
  EXPECT_EQ(Value(o, "rtsp.cseq_echo"), "match");
  EXPECT_EQ(Value(o, "rtsp.auth.realm"), "IP Camera(C2875)");
  EXPECT_EQ(Value(o, "rtsp.header.date"), "Thu, May 14 2020 16:45:35 GMT");  // once, not per reply
  EXPECT_EQ(Value(o, "rtsp.header_names"), "CSeq,Public,Date");
}

TEST(RtspProbe, DahuaServerAndLoginToRealm) {
  const auto o = RunScenario("dahua_rtsp_server_3").observations;
  EXPECT_EQ(Value(o, "rtsp.header.server"), "Rtsp Server/3.0");
  EXPECT_EQ(Values(o, "rtsp.auth.scheme"), (std::vector<std::string>{"Digest", "Basic"}));
  EXPECT_EQ(Values(o, "rtsp.auth.realm"), (std::vector<std::string>{"Login to 2J01018PAA00813", "MediaServer3.0"}));
  EXPECT_EQ(Value(o, "rtsp.no_server_header"), "<absent>");
  EXPECT_EQ(Value(o, "rtsp.date_layout"), "<absent>");
}

TEST(RtspProbe, HttpStyleAnswerStopsAfterOptions) {
  testing::FakeRun run = RunScenario("http_style");
  EXPECT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(Value(run.observations, "rtsp.version"), "HTTP/1.1");
  EXPECT_EQ(Value(run.observations, "rtsp.options.status"), "400");
}

TEST(RtspProbe, GarbageStopsAfterOptions) {
  testing::FakeRun run = RunScenario("garbage");
  EXPECT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(Value(run.observations, "rtsp.options.error"), "parse");
  EXPECT_EQ(Value(run.observations, "rtsp.cseq_echo"), "<absent>");
}

TEST(RtspProbe, CseqMismatchAndSdpBody) {
  const auto o = RunScenario("cseq_mismatch").observations;
  EXPECT_EQ(Value(o, "rtsp.cseq_echo"), "absent");  // DESCRIBE reply had no CSeq at all
  EXPECT_EQ(Value(o, "rtsp.date_layout"), "rfc1123");
  EXPECT_NE(Value(o, "rtsp.describe.body").find("s=Media Presentation"), std::string::npos);
  EXPECT_EQ(Value(o, "rtsp.header.content-type"), "application/sdp");
}

TEST(RtspProbe, ClosedAfterOptionsUsesNewConnection) {
  RtspProbe probe;
  auto run = RunFakeSession(probe, {"127.0.0.1", 554}, ScenarioReplies("dahua_old", /*close_after=*/true));
  // DESCRIBE on the closed connection finds it closed; the retry uses a new connection.
  ASSERT_EQ(run.steps.size(), 3u);
  EXPECT_FALSE(run.steps[1].new_connection);
  EXPECT_TRUE(run.steps[2].new_connection);
  EXPECT_EQ(testing::RequestMethod(run.steps[2].request), "DESCRIBE");
  EXPECT_EQ(Value(run.observations, "rtsp.auth.realm"), "device");
  EXPECT_EQ(Value(run.observations, "rtsp.describe.error"), "<absent>");
}

TEST(RtspProbe, SilentServer) {
  RtspProbe probe;
  auto run = RunFakeSession(probe, {"127.0.0.1", 554}, [](const Step&, int) { return FakeReply{"", false}; });
  EXPECT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(Value(run.observations, "rtsp.options.error"), "timeout");
  EXPECT_EQ(Value(run.observations, "tcp.port.open"), "554");
}

TEST(RtspProbe, EndlessHeadersAreCut) {
  std::string reply = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n";
  while (reply.size() < 200000) reply += "X-Pad: 0123456789abcdef\r\n";
  RtspProbe probe;
  auto run = RunFakeSession(probe, {"127.0.0.1", 554}, [&](const Step&, int) { return FakeReply{reply, false}; },
                            {.chunk = 2000});
  auto limits = Values(run.observations, "rtsp.limit");
  EXPECT_NE(std::find(limits.begin(), limits.end(), "OPTIONS headers>100"), limits.end());
}

}  // namespace
}  // namespace phaseout::probes::rtsp
