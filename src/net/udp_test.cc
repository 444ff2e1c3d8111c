// UdpSocket::SendBatch: every datagram of a batch arrives, in order, and a datagram the kernel
// refuses is skipped and reported without losing the rest. Loopback only (scripts/netns-run).
#include "net/udp.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "net/isolation.h"

namespace phaseout::net {
namespace {

class UdpBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!IsIsolatedNetwork(&why)) GTEST_SKIP() << "run through scripts/netns-run: " << why;
  }
};

// A receiving socket on 127.0.0.1:<ephemeral>; returns the fd and sets `port`.
int Receiver(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

TEST_F(UdpBatchTest, EveryDatagramArrivesAndARefusedOneIsReported) {
  uint16_t port = 0;
  int rx = Receiver(&port);
  auto tx = UdpSocket::Open("");
  ASSERT_TRUE(tx) << tx.error().message;
  std::vector<std::string> payloads;
  for (int i = 0; i < 150; ++i) payloads.push_back("datagram " + std::to_string(i));  // more than one chunk
  std::vector<OutgoingDatagram> batch;
  for (const auto& p : payloads) batch.push_back({0x7f000001, port, p});
  batch.insert(batch.begin() + 70, OutgoingDatagram{0x7f000001, 0, "to port 0"});  // the kernel says EINVAL
  std::vector<std::string> errors;
  EXPECT_EQ(tx->SendBatch(batch, &errors), 150u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("UDP send to 127.0.0.1:0: ", 0), 0u) << errors[0];
  char buf[64];
  for (int i = 0; i < 150; ++i) {
    ssize_t n = ::recv(rx, buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0) << "datagram " << i << " missing";
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), payloads[static_cast<size_t>(i)]);
  }
  EXPECT_LT(::recv(rx, buf, sizeof buf, MSG_DONTWAIT), 0);
  EXPECT_EQ(tx->SendBatch({}, nullptr), 0u);
  ::close(rx);
}

}  // namespace
}  // namespace phaseout::net
