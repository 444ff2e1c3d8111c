// Socket tests of the discovery pass and its merge into scan records: a fake SADP responder
// on 127.77.x addresses answers unicast and multicast inquiries, floods, and replies from
// addresses outside the scope. Runs only inside scripts/netns-run (loopback only).
#include "engine/discovery.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <mutex>
#include <thread>

#include "engine/scanner.h"
#include "net/isolation.h"
#include "probes/sadp/sadp.h"
#include "probes/ssdp/ssdp.h"

namespace phaseout::engine {
namespace {

const char* kSadpReply =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ProbeMatch><Types>inquiry</Types>"
    "<DeviceDescription>DS-2CD2385G1-I</DeviceDescription><DeviceSN>DS-2CD2385G1-I20200414AAWRE33842150</DeviceSN>"
    "<MAC>58-50-ed-1f-e3-85</MAC><SoftwareVersion>V5.6.2build 190701</SoftwareVersion></ProbeMatch>";

int BoundSocket(const char* ip, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << ip << ":" << port << " " << std::strerror(errno);
  return fd;
}

// A fake SADP device: answers each inquiry received on `listen_fd` with `copies` replies from
// each of `reply_fds`.
class FakeResponder {
 public:
  FakeResponder(int listen_fd, std::vector<int> reply_fds, int copies, std::string reply = kSadpReply,
                std::string trigger = "<Types>inquiry</Types>", int delay_ms = 0)
      : listen_fd_(listen_fd), reply_fds_(std::move(reply_fds)), copies_(copies), reply_(std::move(reply)),
        trigger_(std::move(trigger)), delay_ms_(delay_ms), thread_([this] { Run(); }) {}
  ~FakeResponder() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    for (int fd : reply_fds_) {
      if (fd != listen_fd_) ::close(fd);
    }
  }
  int inquiries() const { return inquiries_.load(); }

 private:
  void Run() {
    char buf[4096];
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(listen_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0 || std::string_view(buf, static_cast<size_t>(n)).find(trigger_) == std::string_view::npos) continue;
      ++inquiries_;
      if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
      for (int fd : reply_fds_) {
        for (int i = 0; i < copies_; ++i) {
          ::sendto(fd, reply_.data(), reply_.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
    }
  }
  int listen_fd_;
  std::vector<int> reply_fds_;
  int copies_;
  std::string reply_;
  std::string trigger_;
  int delay_ms_;
  std::atomic<bool> stop_{false};
  std::atomic<int> inquiries_{0};
  std::thread thread_;
};

class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!net::IsIsolatedNetwork(&why)) GTEST_SKIP() << "run through scripts/netns-run: " << why;
  }
  DiscoveryOptions Options() {
    DiscoveryOptions o;
    o.probes = {&sadp_};
    o.rate = 0;
    o.wait_ms = 300;
    o.multicast_wait_ms = 300;
    return o;
  }
  probes::sadp::SadpProbe sadp_;
};

std::string Value(const DiscoveredHost& h, const std::string& key) {
  for (const auto& o : h.observations) {
    if (o.key == key) return o.value;
  }
  return "<absent>";
}

TEST_F(DiscoveryTest, UnicastReplyIsParsedAndMacNormalised) {
  int fd = BoundSocket("127.77.0.5", 37020);
  FakeResponder device(fd, {fd}, 1);
  auto scope = net::TargetSet::Parse({"127.77.0.1-127.77.0.8"});
  ASSERT_TRUE(scope);
  auto r = RunDiscovery(**scope, Options(), nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stats.datagrams_sent, 8u);
  ASSERT_EQ(r->in_scope.count("127.77.0.5"), 1u);
  const DiscoveredHost& h = r->in_scope.at("127.77.0.5");
  EXPECT_EQ(h.mac, "58:50:ed:1f:e3:85");
  EXPECT_EQ(Value(h, "sadp.model"), "DS-2CD2385G1-I");
  EXPECT_TRUE(r->out_of_scope.empty());
  EXPECT_EQ(r->in_scope.size(), 1u);
}

TEST_F(DiscoveryTest, FloodIsCappedPerHostAndDuplicatesCollapse) {
  int fd = BoundSocket("127.77.1.5", 37020);
  FakeResponder device(fd, {fd}, 200);
  auto scope = net::TargetSet::Parse({"127.77.1.5"});
  DiscoveryOptions o = Options();
  o.max_replies_per_host = 5;
  auto r = RunDiscovery(**scope, o, nullptr);
  ASSERT_TRUE(r);
  const DiscoveredHost& h = r->in_scope.at("127.77.1.5");
  EXPECT_GE(r->stats.replies_dropped, 100u);
  // 200 identical replies give each observation once.
  size_t models = 0;
  for (const auto& obs : h.observations) models += obs.key == "sadp.model";
  EXPECT_EQ(models, 1u);
  bool noted = false;
  for (const auto& n : h.notes) noted = noted || n.find("more than 5 replies") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST_F(DiscoveryTest, TotalCapBoundsEverything) {
  int fd = BoundSocket("127.77.2.5", 37020);
  FakeResponder device(fd, {fd}, 300);
  auto scope = net::TargetSet::Parse({"127.77.2.5"});
  DiscoveryOptions o = Options();
  o.max_replies_total = 10;
  auto r = RunDiscovery(**scope, o, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->in_scope.at("127.77.2.5").replies, 10u);
}

TEST_F(DiscoveryTest, RepliesFromOutsideTheScopeAreFlaggedNotMerged) {
  int fd = BoundSocket("127.77.3.5", 37020);
  int stranger = BoundSocket("127.77.3.99", 0);
  FakeResponder device(fd, {fd, stranger}, 1);
  auto scope = net::TargetSet::Parse({"127.77.3.5"});
  auto r = RunDiscovery(**scope, Options(), nullptr);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->in_scope.size(), 1u);
  ASSERT_EQ(r->out_of_scope.size(), 1u);
  EXPECT_EQ(r->out_of_scope[0].ip, "127.77.3.99");
  EXPECT_NE(r->out_of_scope[0].notes.at(0).find("outside the scan scope"), std::string::npos);
  EXPECT_EQ(r->stats.replies_out_of_scope, 1u);
}

TEST_F(DiscoveryTest, MulticastOnLoopback) {
  // The device listens on the SADP group, as real devices do, and answers from its address.
  int group_fd = BoundSocket("239.255.255.250", 37020);
  ip_mreq m{};
  inet_pton(AF_INET, "239.255.255.250", &m.imr_multiaddr);
  inet_pton(AF_INET, "127.0.0.1", &m.imr_interface);
  ASSERT_EQ(::setsockopt(group_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m), 0) << std::strerror(errno);
  int in_scope = BoundSocket("127.77.4.5", 0);
  int outside = BoundSocket("127.77.4.200", 0);
  FakeResponder device(group_fd, {in_scope, outside}, 1);
  auto scope = net::TargetSet::Parse({"127.77.4.0/25"});
  DiscoveryOptions o = Options();
  o.unicast = false;
  net::Interface lo;
  lo.name = "lo";
  lo.address = "127.0.0.1";
  lo.up = true;
  o.interfaces = {lo};
  auto r = RunDiscovery(**scope, o, nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(device.inquiries(), 1);
  EXPECT_EQ(r->stats.datagrams_sent, 1u);
  EXPECT_EQ(r->in_scope.count("127.77.4.5"), 1u);
  ASSERT_EQ(r->out_of_scope.size(), 1u);
  EXPECT_EQ(r->out_of_scope[0].ip, "127.77.4.200");
}

TEST_F(DiscoveryTest, ScannerReportsUdpOnlyHostsAndFlagsStrangers) {
  int fd = BoundSocket("127.77.5.5", 37020);
  int stranger = BoundSocket("127.77.5.250", 0);
  FakeResponder device(fd, {fd, stranger}, 1);
  ScanOptions o;
  o.ports = {18999};  // nothing listens: the host is known from UDP only
  o.rate = 0;
  o.threads = 1;
  o.connect_timeout_ms = 300;
  o.neighbor_table_path = "";
  o.probe_for_port = [](uint16_t) { return nullptr; };
  o.discovery = Options();
  auto targets = net::TargetSet::Parse({"127.77.5.1-127.77.5.9"});
  Scanner scanner(o);
  std::mutex mu;
  std::vector<model::HostScan> hosts;
  ASSERT_TRUE(scanner.Run(**targets, [&](model::HostScan&& h) {
    std::lock_guard<std::mutex> lock(mu);
    hosts.push_back(std::move(h));
  }).ok());
  ASSERT_EQ(hosts.size(), 2u);
  std::sort(hosts.begin(), hosts.end(), [](const auto& a, const auto& b) { return a.ip < b.ip; });
  EXPECT_EQ(hosts[0].ip, "127.77.5.250");
  EXPECT_TRUE(hosts[0].out_of_scope);
  EXPECT_EQ(hosts[1].ip, "127.77.5.5");
  EXPECT_FALSE(hosts[1].out_of_scope);
  EXPECT_TRUE(hosts[1].open_ports.empty());
  EXPECT_EQ(hosts[1].mac, "58:50:ed:1f:e3:85");
  EXPECT_EQ(MergeKey(hosts[1]), "mac:58:50:ed:1f:e3:85");
  ScanStats stats = scanner.Snapshot();
  EXPECT_EQ(stats.udp.datagrams_sent, 9u);
  EXPECT_EQ(stats.hosts_responsive, 1u);
  // --no-udp: nothing is sent, nothing reported.
  ScanOptions quiet = o;
  quiet.udp = false;
  Scanner again(quiet);
  size_t reported = 0;
  ASSERT_TRUE(again.Run(**targets, [&](model::HostScan&&) { ++reported; }).ok());
  EXPECT_EQ(reported, 0u);
  EXPECT_EQ(again.Snapshot().udp.datagrams_sent, 0u);
}

// Records what a DiscoveryListener is given.
struct RecordingListener : DiscoveryListener {
  struct Call {
    std::optional<net::IpAddress> through;
    std::vector<std::string> ips;
  };
  void Final(std::optional<net::IpAddress> through, std::vector<DiscoveredHost> hosts) override {
    Call c{through, {}};
    for (const auto& h : hosts) c.ips.push_back(h.ip);
    calls.push_back(std::move(c));
  }
  std::vector<Call> calls;
};

TEST_F(DiscoveryTest, ListenerGetsEachHostOnceWhenItsReplyWindowHasEnded) {
  int early = BoundSocket("127.77.7.5", 37020);
  int late = BoundSocket("127.77.7.250", 37020);
  FakeResponder a(early, {early}, 1);
  FakeResponder b(late, {late}, 1);
  auto scope = net::TargetSet::Parse({"127.77.7.0/24"});
  DiscoveryOptions o = Options();
  o.rate = 400;  // 256 targets: about 0.64 s, longer than the 300 ms reply window
  RecordingListener listener;
  auto r = RunDiscovery(**scope, o, nullptr, &listener);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->in_scope.empty()) << "with a listener, hosts go to it";
  EXPECT_EQ(r->stats.datagrams_sent, 256u);
  ASSERT_GE(listener.calls.size(), 2u);
  EXPECT_FALSE(listener.calls.back().through.has_value()) << "the last call says everything is final";
  std::map<std::string, size_t> call_of;
  for (size_t i = 0; i < listener.calls.size(); ++i) {
    if (i > 0 && listener.calls[i].through && listener.calls[i - 1].through) {
      EXPECT_LT(*listener.calls[i - 1].through, *listener.calls[i].through) << "ascending";
    }
    for (const auto& ip : listener.calls[i].ips) EXPECT_TRUE(call_of.emplace(ip, i).second) << ip << " twice";
  }
  ASSERT_EQ(call_of.size(), 2u);
  // .5 was final long before the sweep reached .250: handed over with a bound at or above it.
  const auto& first = listener.calls.at(call_of.at("127.77.7.5"));
  ASSERT_TRUE(first.through.has_value());
  EXPECT_FALSE(*first.through < *net::IpAddress::Parse("127.77.7.5"));
  EXPECT_LT(*first.through, *net::IpAddress::Parse("127.77.7.250"));
  EXPECT_EQ(r->stats.replies_late, 0u);
  // A listener takes unicast only.
  o.interfaces = {net::Interface{}};
  EXPECT_FALSE(RunDiscovery(**scope, o, nullptr, &listener));
}

TEST_F(DiscoveryTest, ReplyAfterTheHostWasHandedOverIsCountedLateNeverMerged) {
  int fd = BoundSocket("127.77.9.1", 37020);
  FakeResponder slow(fd, {fd}, 1, kSadpReply, "<Types>inquiry</Types>", /*delay_ms=*/500);
  auto scope = net::TargetSet::Parse({"127.77.9.0/27"});
  DiscoveryOptions o = Options();
  o.rate = 20;      // the first few targets at once (burst), the rest over about a second
  o.wait_ms = 200;  // .1's window ends long before its reply comes
  RecordingListener listener;
  auto r = RunDiscovery(**scope, o, nullptr, &listener);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(slow.inquiries(), 1);
  EXPECT_EQ(r->stats.replies, 1u);
  EXPECT_EQ(r->stats.replies_late, 1u);
  for (const auto& call : listener.calls) EXPECT_TRUE(call.ips.empty()) << "the late reply made no host";
}

// Discovery beside the TCP pass: a host whose TCP part finishes before its discovery reply is
// final waits for it and is reported once, merged; UDP-only and TCP-only hosts are reported.
TEST_F(DiscoveryTest, ScannerMergesUdpFactsIntoHostsTheTcpPassFinishedFirst) {
  int both_udp = BoundSocket("127.77.8.5", 37020);
  int udp_only = BoundSocket("127.77.8.6", 37020);
  FakeResponder d1(both_udp, {both_udp}, 1);
  FakeResponder d2(udp_only, {udp_only}, 1);
  std::vector<int> listeners;
  for (const char* ip : {"127.77.8.5", "127.77.8.7"}) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(18998);
    inet_pton(AF_INET, ip, &a.sin_addr);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 16), 0);
    listeners.push_back(fd);
  }
  ScanOptions o;
  o.ports = {18998};
  o.rate = 0;
  o.threads = 1;
  o.connect_timeout_ms = 300;
  o.neighbor_table_path = "";
  o.probe_for_port = [](uint16_t) { return nullptr; };
  o.discovery = Options();
  o.discovery.wait_ms = 600;  // the TCP part of every host ends long before its window does
  auto targets = net::TargetSet::Parse({"127.77.8.1-127.77.8.9"});
  Scanner scanner(o);
  std::mutex mu;
  std::vector<model::HostScan> hosts;
  ASSERT_TRUE(scanner.Run(**targets, [&](model::HostScan&& h) {
    std::lock_guard<std::mutex> lock(mu);
    hosts.push_back(std::move(h));
  }).ok());
  for (int fd : listeners) ::close(fd);
  ASSERT_EQ(hosts.size(), 3u);
  std::sort(hosts.begin(), hosts.end(), [](const auto& a, const auto& b) { return a.ip < b.ip; });
  EXPECT_EQ(hosts[0].ip, "127.77.8.5");
  EXPECT_EQ(hosts[0].open_ports, std::vector<uint16_t>{18998});
  EXPECT_EQ(hosts[0].mac, "58:50:ed:1f:e3:85");
  EXPECT_EQ(Value(DiscoveredHost{"", "", hosts[0].observations, {}, 0}, "sadp.model"), "DS-2CD2385G1-I");
  EXPECT_EQ(hosts[1].ip, "127.77.8.6");
  EXPECT_TRUE(hosts[1].open_ports.empty());
  EXPECT_EQ(hosts[1].mac, "58:50:ed:1f:e3:85");
  EXPECT_EQ(hosts[2].ip, "127.77.8.7");
  EXPECT_EQ(hosts[2].open_ports, std::vector<uint16_t>{18998});
  EXPECT_TRUE(hosts[2].mac.empty());
  ScanStats stats = scanner.Snapshot();
  EXPECT_EQ(stats.hosts_responsive, 3u);
  EXPECT_EQ(stats.targets_done, 9u);
  EXPECT_EQ(stats.udp.datagrams_sent, 9u);
  EXPECT_EQ(stats.udp.replies, 2u);
  EXPECT_EQ(stats.udp.replies_late, 0u);
}

// A one-shot HTTP server: answers the first connection with `reply`, records the request.
class FakeHttpOnce {
 public:
  FakeHttpOnce(const char* ip, uint16_t port, std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::listen(fd_, 4);
    thread_ = std::thread([this] {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[2048];
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n > 0) request_.assign(buf, static_cast<size_t>(n));
      ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~FakeHttpOnce() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  int fd_;
  std::string reply_;
  std::string request_;
  std::thread thread_;
};

TEST_F(DiscoveryTest, UpnpDescriptionOnlyFromTheReplyingHost) {
  probes::ssdp::SsdpProbe ssdp;
  int good = BoundSocket("127.77.6.5", 1900);
  int other = BoundSocket("127.77.6.6", 1900);
  FakeResponder a(good, {good}, 1,
                  "HTTP/1.1 200 OK\r\nLOCATION: http://127.77.6.5:18777/d.xml\r\nSERVER: Linux UPnP/1.0 Huawei-ATP-IGD\r\n"
                  "ST: upnp:rootdevice\r\n\r\n",
                  "M-SEARCH");
  // Points at a third host: never fetched.
  FakeResponder b(other, {other}, 1, "HTTP/1.1 200 OK\r\nLOCATION: http://127.77.6.9:18777/d.xml\r\n\r\n", "M-SEARCH");
  FakeHttpOnce http("127.77.6.5", 18777,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n<root><device>"
                    "<manufacturer>Huawei Technologies Co., Ltd.</manufacturer><modelName>HG8245H</modelName></device></root>");
  auto scope = net::TargetSet::Parse({"127.77.6.5-127.77.6.6"});
  DiscoveryOptions o = Options();
  o.probes = {&ssdp};
  auto r = RunDiscovery(**scope, o, nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stats.descriptions_fetched, 1u);
  EXPECT_EQ(r->stats.descriptions_refused, 1u);
  EXPECT_EQ(Value(r->in_scope.at("127.77.6.5"), "upnp.manufacturer"), "Huawei Technologies Co., Ltd.");
  EXPECT_EQ(Value(r->in_scope.at("127.77.6.5"), "ssdp.server"), "Linux UPnP/1.0 Huawei-ATP-IGD");
  EXPECT_EQ(http.request().rfind("GET /d.xml HTTP/1.1\r\nHost: 127.77.6.5:18777\r\n", 0), 0u);
  const DiscoveredHost& refused = r->in_scope.at("127.77.6.6");
  EXPECT_EQ(Value(refused, "upnp.manufacturer"), "<absent>");
  ASSERT_FALSE(refused.notes.empty());
  EXPECT_NE(refused.notes[0].find("not fetched"), std::string::npos);
}

TEST(DiscoveryFlags, Validation) {
  ScanOptions o;
  DiscoveryFlags f;
  f.interfaces = {"lo"};
  EXPECT_FALSE(ApplyDiscoveryFlags(f, &o).ok());  // --interface without --discover
  f.discover = true;
  f.no_udp = true;
  EXPECT_FALSE(ApplyDiscoveryFlags(f, &o).ok());
  f = DiscoveryFlags();
  f.no_udp = true;
  ASSERT_TRUE(ApplyDiscoveryFlags(f, &o).ok());
  EXPECT_FALSE(o.udp);
  f = DiscoveryFlags();
  f.discover = true;
  f.interfaces = {"no-such-interface0"};
  EXPECT_FALSE(ApplyDiscoveryFlags(f, &o).ok());
}

TEST(DiscoveryInterfaces, Choice) {
  std::vector<net::Interface> all = {{"lo", "127.0.0.1", 8, true, true, false},
                                     {"eth0", "192.0.2.10", 24, true, false, true},
                                     {"eth1", "10.1.2.3", 24, true, false, true},
                                     {"eth2", "172.16.0.9", 16, false, false, true}};
  auto chosen = net::ChooseDiscoveryInterfaces(all, {});
  ASSERT_TRUE(chosen);
  ASSERT_EQ(chosen->size(), 1u);  // public eth0, loopback and the down eth2 are left out
  EXPECT_EQ((*chosen)[0].name, "eth1");
  EXPECT_TRUE(net::ChooseDiscoveryInterfaces(all, {"lo"}));
  EXPECT_FALSE(net::ChooseDiscoveryInterfaces(all, {"eth2"}));
  EXPECT_FALSE(net::ChooseDiscoveryInterfaces({all[0]}, {}));
  EXPECT_TRUE(net::IsPrivateIpv4("172.31.255.255"));
  EXPECT_FALSE(net::IsPrivateIpv4("172.32.0.1"));
  EXPECT_TRUE(net::IsPrivateIpv4("100.64.0.1"));
  EXPECT_FALSE(net::IsPrivateIpv4("192.0.2.1"));
}

}  // namespace
}  // namespace phaseout::engine
