// Socket tests for TcpConnection: connect outcomes, deadlines, byte caps, TLS certificate
// capture and RST close. Loopback only, inside scripts/netns-run.
#include "net/tcp.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "net/testing/fake_tcp_server.h"
#include "net/testing/test_tls.h"
#include "tests/testing/netns_guard.h"

namespace phaseout::net {
namespace {

using namespace std::chrono_literals;
using testing::FakeTcpServer;

asio::ip::tcp::endpoint Ep(const char* ip, uint16_t port) {
  return asio::ip::tcp::endpoint(asio::ip::make_address(ip), port);
}

// Runs `body` as a coroutine on `io` until it finishes.
template <typename F>
void RunCoroutine(asio::io_context& io, F body) {
  bool done = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await body();
    done = true;
  }, asio::detached);
  io.run();
  ASSERT_TRUE(done);
}

bool AlwaysMore(std::string_view) { return false; }

TEST(TcpConnectionTest, RefusedWhenNothingListens) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  asio::io_context io;
  TcpConnection conn(io);
  IoResult r;
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    r = co_await conn.Connect(Ep("127.0.3.1", 1), SteadyTime::clock::now() + 1s);
  });
  EXPECT_EQ(r.status, IoStatus::kRefused) << r.error.message() << " " << r.error.category().name();
  EXPECT_FALSE(conn.is_open());
}

TEST(TcpConnectionTest, ConnectTimesOutOnFullBacklog) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto server = FakeTcpServer::Start("127.0.3.2", 7001, nullptr, nullptr, /*accept_connections=*/false);
  ASSERT_NE(server, nullptr);
  server->FillBacklog();
  asio::io_context io;
  TcpConnection conn(io);
  IoResult r;
  auto start = SteadyTime::clock::now();
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    r = co_await conn.Connect(Ep("127.0.3.2", 7001), SteadyTime::clock::now() + 300ms);
  });
  auto took = SteadyTime::clock::now() - start;
  EXPECT_EQ(r.status, IoStatus::kTimeout);
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 3s);
}

TEST(TcpConnectionTest, WriteReadFramedReply) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto server = FakeTcpServer::Start("127.0.3.3", 7002, [](int fd, const std::atomic<bool>& stop) {
    std::string line = testing::ReadLine(fd);
    testing::SendAll(fd, "you said " + line + "and more");
    testing::WaitForClose(fd, stop);
  });
  ASSERT_NE(server, nullptr);
  asio::io_context io;
  TcpConnection conn(io);
  char buf[256];
  ReadResult rr;
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    auto c = co_await conn.Connect(Ep("127.0.3.3", 7002), SteadyTime::clock::now() + 1s);
    EXPECT_TRUE(c.ok());
    auto w = co_await conn.Write("hi\n", SteadyTime::clock::now() + 1s);
    EXPECT_TRUE(w.ok());
    rr = co_await conn.ReadUntil(buf, sizeof buf,
                                 [](std::string_view s) { return s.find("more") != std::string_view::npos; },
                                 SteadyTime::clock::now() + 2s);
    conn.Close();
  });
  EXPECT_TRUE(rr.complete);
  EXPECT_EQ(std::string(buf, rr.size), "you said hi\nand more");
}

TEST(TcpConnectionTest, ReadTimeoutAndByteCap) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto silent = FakeTcpServer::Start("127.0.3.4", 7003, testing::SilentHandler());
  auto endless = FakeTcpServer::Start("127.0.3.4", 7004, testing::EndlessHandler());
  ASSERT_NE(silent, nullptr);
  ASSERT_NE(endless, nullptr);
  asio::io_context io;
  TcpConnection conn(io);
  std::vector<char> buf(10000);
  ReadResult timed, capped;
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    (void)co_await conn.Connect(Ep("127.0.3.4", 7003), SteadyTime::clock::now() + 1s);
    timed = co_await conn.ReadUntil(buf.data(), buf.size(), AlwaysMore, SteadyTime::clock::now() + 200ms);
    (void)co_await conn.Connect(Ep("127.0.3.4", 7004), SteadyTime::clock::now() + 1s);
    capped = co_await conn.ReadUntil(buf.data(), buf.size(), AlwaysMore, SteadyTime::clock::now() + 5s);
    conn.Close();
  });
  EXPECT_TRUE(timed.timed_out);
  EXPECT_EQ(timed.size, 0u);
  EXPECT_TRUE(capped.truncated);
  EXPECT_FALSE(capped.timed_out);
  EXPECT_EQ(capped.size, buf.size());
}

TEST(TcpConnectionTest, PeerCloseIsReported) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto server = FakeTcpServer::Start("127.0.3.5", 7005, [](int fd, const std::atomic<bool>&) {
    testing::SendAll(fd, "bye");
    ::shutdown(fd, SHUT_WR);
  });
  ASSERT_NE(server, nullptr);
  asio::io_context io;
  TcpConnection conn(io);
  char buf[64];
  ReadResult rr;
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    (void)co_await conn.Connect(Ep("127.0.3.5", 7005), SteadyTime::clock::now() + 1s);
    rr = co_await conn.ReadUntil(buf, sizeof buf, AlwaysMore, SteadyTime::clock::now() + 2s);
  });
  EXPECT_TRUE(rr.closed);
  EXPECT_EQ(std::string(buf, rr.size), "bye");
}

TEST(TcpConnectionTest, TlsHandshakeCapturesCertificate) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  std::shared_ptr<testing::SelfSigned> cert = testing::MakeSelfSigned("phaseout-tcp-test");
  ASSERT_NE(cert, nullptr);
  auto server = FakeTcpServer::Start("127.0.3.6", 7006, testing::TlsReplyHandler(cert, "tls-ok\n"));
  ASSERT_NE(server, nullptr);
  auto ctx = MakeScanTlsContext();
  ASSERT_TRUE(ctx.has_value()) << ctx.error().message;
  asio::io_context io;
  TcpConnection conn(io);
  char buf[64];
  ReadResult rr;
  IoResult hs;
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    (void)co_await conn.Connect(Ep("127.0.3.6", 7006), SteadyTime::clock::now() + 1s);
    hs = co_await conn.StartTls(**ctx, SteadyTime::clock::now() + 3s);
    if (!hs.ok()) co_return;
    (void)co_await conn.Write("hello\n", SteadyTime::clock::now() + 1s);
    rr = co_await conn.ReadUntil(buf, sizeof buf, [](std::string_view s) { return s.back() == '\n'; },
                                 SteadyTime::clock::now() + 2s);
    conn.Close();
  });
  ASSERT_TRUE(hs.ok()) << conn.tls_error();
  EXPECT_EQ(conn.peer_certificate_der(), cert->der);
  EXPECT_EQ(std::string(buf, rr.size), "tls-ok\n");
}

TEST(TcpConnectionTest, TlsAgainstPlainServerFails) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto server = FakeTcpServer::Start("127.0.3.7", 7007, [](int fd, const std::atomic<bool>&) {
    testing::SendAll(fd, "HTTP/1.0 400 Bad Request\r\n\r\n");
  });
  ASSERT_NE(server, nullptr);
  auto ctx = MakeScanTlsContext();
  ASSERT_TRUE(ctx.has_value());
  asio::io_context io;
  TcpConnection conn(io);
  IoResult hs;
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    (void)co_await conn.Connect(Ep("127.0.3.7", 7007), SteadyTime::clock::now() + 1s);
    hs = co_await conn.StartTls(**ctx, SteadyTime::clock::now() + 2s);
  });
  EXPECT_FALSE(hs.ok());
  EXPECT_FALSE(conn.tls_error().empty());
}

TEST(TcpConnectionTest, CloseSendsReset) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  std::atomic<int> read_result{1};
  std::atomic<int> read_errno{0};
  auto server = FakeTcpServer::Start("127.0.3.8", 7008, [&](int fd, const std::atomic<bool>&) {
    char c;
    ssize_t n = ::recv(fd, &c, 1, 0);
    read_errno = n < 0 ? errno : 0;
    read_result = static_cast<int>(n);
  });
  ASSERT_NE(server, nullptr);
  asio::io_context io;
  TcpConnection conn(io);
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    (void)co_await conn.Connect(Ep("127.0.3.8", 7008), SteadyTime::clock::now() + 1s);
    conn.Close();
  });
  for (int i = 0; i < 200 && read_result == 1; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(read_result.load(), -1);  // an orderly FIN would read 0
  EXPECT_EQ(read_errno.load(), ECONNRESET);
}

}  // namespace
}  // namespace phaseout::net
