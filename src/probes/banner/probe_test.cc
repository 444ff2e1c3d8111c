// Tests for the banner probe: Hikvision SDK 16-byte reply, Dahua 37777 silence, close, text.
#include "probes/banner/probe.h"

#include <gtest/gtest.h>

#include "probes/banner/banner.h"
#include "probes/testing/fake_engine.h"

namespace phaseout::probes::banner {
namespace {

using testing::FakeReply;
using testing::RunFakeSession;
using testing::Value;

testing::FakeRun RunBanner(uint16_t port, FakeReply reply, testing::FakeOptions options = {}) {
  BannerProbe probe;
  return RunFakeSession(probe, {"127.0.0.1", port}, [&](const Step&, int) { return reply; }, options);
}

TEST(BannerProbe, HikvisionSdkPortSixteenBytes) {
  // nmap/nmap nmap-service-probes line 1821: "\0\0\0\x10\0\0\0\x1e\0\0\0\x1e\0\0\0\0".
  auto run = RunBanner(8000, FakeReply{std::string("\0\0\0\x10\0\0\0\x1e\0\0\0\x1e\0\0\0\0", 16), false});
  ASSERT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(run.steps[0].kind, Step::Kind::kWaitBanner);
  EXPECT_TRUE(run.steps[0].request.empty());  // nothing is ever sent
  EXPECT_EQ(run.steps[0].read_timeout_ms, kBannerTimeoutMs);
  const auto& o = run.observations;
  EXPECT_EQ(Value(o, "tcp.port.open"), "8000");
  EXPECT_EQ(Value(o, "tcp.banner.length"), "16");
  EXPECT_EQ(Value(o, "tcp.banner.hex"), "000000100000001e0000001e00000000");
  EXPECT_EQ(Value(o, "tcp.banner.text"), "\\x00\\x00\\x00\\x10\\x00\\x00\\x00\\x1e\\x00\\x00\\x00\\x1e\\x00\\x00\\x00\\x00");
  EXPECT_EQ(Value(o, "tcp.silent"), "<absent>");
  for (const auto& obs : o) EXPECT_EQ(obs.probe, obs.key == "tcp.port.open" ? "tcp" : "banner");
}

TEST(BannerProbe, DahuaSdkPortIsSilent) {
  auto o = RunBanner(37777, FakeReply{"", false}).observations;
  EXPECT_EQ(Value(o, "tcp.silent"), "true");
  EXPECT_EQ(Value(o, "tcp.banner.length"), "<absent>");
}

TEST(BannerProbe, ClosedOnConnect) {
  auto o = RunBanner(9010, FakeReply{"", true}).observations;
  EXPECT_EQ(Value(o, "tcp.closed_on_connect"), "true");
  EXPECT_EQ(Value(o, "tcp.silent"), "<absent>");
}

TEST(BannerProbe, TextBannerFramedAtNewline) {
  auto run = RunBanner(2222, FakeReply{"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nmore later", false});
  // Reading stops with the read that brought the newline (7-byte reads here), not at the timeout.
  EXPECT_EQ(run.delivered[0], "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nmor");
  EXPECT_FALSE(run.responses[0].timed_out);
  EXPECT_EQ(Value(run.observations, "tcp.banner.text"), "SSH-2.0-OpenSSH_9.2p1 Debian-2\\x0d\\x0amor");
}

TEST(BannerProbe, LongBannerIsBounded) {
  auto run = RunBanner(9020, FakeReply{std::string(100000, 'A'), false}, {.byte_cap = 1000, .chunk = 100});
  EXPECT_EQ(Value(run.observations, "tcp.banner.length"), "300");  // framed at 256+ bytes
  EXPECT_EQ(Value(run.observations, "tcp.banner.hex").size(), 128u);
  auto capped = RunBanner(9020, FakeReply{std::string(100000, 'A'), false}, {.byte_cap = 100, .chunk = 100});
  EXPECT_EQ(Value(capped.observations, "banner.limit"), "response>100 truncated");
}

}  // namespace
}  // namespace phaseout::probes::banner
