// Socket tests for TcpConnection: connect outcomes, deadlines, byte caps, TLS certificate
// capture and RST close. Loopback only, inside scripts/netns-run.
#include "net/tcp.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

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

// The demo's "silent address reported open" (a dropped address with port 80 open and no
// evidence): the previous connection of the same TcpConnection was reset by its peer, the
// event loop had already collected that readiness when the lane, resumed by a handler queued
// ahead of it, closed the socket and connected to a host that never answers. Asio hands the
// freed reactor slot to the new socket, the stale error/hang-up readiness completes its
// wait-for-writable, and SO_ERROR is 0 while a connect is still in progress. A connect is
// reported open only once the kernel says the socket is connected.
TEST(TcpConnectionTest, StaleReadinessOfThePreviousConnectionIsNotAConnect) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  // A device that resets the connection shortly after accepting it.
  auto resetter = FakeTcpServer::Start("127.0.3.9", 7009, [](int fd, const std::atomic<bool>&) {
    std::this_thread::sleep_for(10ms);
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  });
  ASSERT_NE(resetter, nullptr);
  // A host that never answers a SYN (as the lab's nftables-dropped addresses).
  auto silent = FakeTcpServer::Start("127.0.3.10", 7010, nullptr, nullptr, /*accept_connections=*/false);
  ASSERT_NE(silent, nullptr);
  silent->FillBacklog();

  asio::io_context io{1};  // as the scanner's event loops
  TcpConnection conn(io);
  IoResult first{IoStatus::kError, {}};
  IoResult second{IoStatus::kError, {}};
  RunCoroutine(io, [&]() -> asio::awaitable<void> {
    for (int attempt = 0; attempt < 3 && !second.ok(); ++attempt) {
      first = co_await conn.Connect(Ep("127.0.3.9", 7009), SteadyTime::clock::now() + 1s);
      if (!first.ok()) co_return;
      // Let the reset arrive while the socket is still registered, then resume through the
      // queue so the event loop collects the reset before this lane runs again.
      std::this_thread::sleep_for(60ms);
      co_await asio::post(io, asio::use_awaitable);
      second = co_await conn.Connect(Ep("127.0.3.10", 7010), SteadyTime::clock::now() + 300ms);
    }
  });
  ASSERT_EQ(first.status, IoStatus::kOk) << first.error.message();
  EXPECT_EQ(second.status, IoStatus::kTimeout) << "a host that never answered was reported "
                                               << (second.ok() ? "open" : second.error.message());
}

}  // namespace
}  // namespace phaseout::net
