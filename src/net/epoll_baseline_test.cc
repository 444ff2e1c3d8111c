// Socket tests for the epoll connect-and-read baseline. Loopback only, inside netns-run.
#include "net/epoll_baseline.h"

#include <gtest/gtest.h>

#include "net/testing/fake_tcp_server.h"
#include "tests/testing/netns_guard.h"

namespace phaseout::net {
namespace {

TEST(EpollBaselineTest, CountsOpenRefusedAndReplies) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto banner = testing::FakeTcpServer::Start("127.0.6.1", 17001, testing::BannerHandler("hi\n"));
  auto http = testing::FakeTcpServer::Start("127.0.6.2", 17002, [](int fd, const std::atomic<bool>&) {
    std::string line = testing::ReadLine(fd);
    testing::SendAll(fd, line == "GET\n" ? "HTTP/1.0 200 OK\r\n\r\n" : "?");
  });
  auto silent = testing::FakeTcpServer::Start("127.0.6.3", 17001, testing::SilentHandler());
  ASSERT_TRUE(banner && http && silent);
  auto targets = TargetSet::Parse({"127.0.6.0/28"});
  ASSERT_TRUE(targets.has_value());
  EpollBaselineOptions o;
  o.ports = {17001, 17002};
  o.concurrency = 8;
  o.read_timeout_ms = 300;
  o.requests[17002] = "GET\n";
  auto r = RunEpollBaseline(**targets, o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->attempts, 32u);
  EXPECT_EQ(r->open, 3u);
  EXPECT_EQ(r->replies, 2u);
  EXPECT_EQ(r->bytes, 3u + 19u);
  EXPECT_EQ(r->timeouts, 1u);  // the silent server
  EXPECT_EQ(r->refused + r->errors, 29u);
  EXPECT_GT(r->attempts_per_second(), 0);
}

TEST(EpollBaselineTest, RejectsBadOptions) {
  auto targets = TargetSet::Parse({"127.0.0.1"});
  ASSERT_TRUE(targets.has_value());
  EpollBaselineOptions o;
  EXPECT_FALSE(RunEpollBaseline(**targets, o).has_value());
  o.ports = {80};
  o.concurrency = 0;
  EXPECT_FALSE(RunEpollBaseline(**targets, o).has_value());
}

}  // namespace
}  // namespace phaseout::net
