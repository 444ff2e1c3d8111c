// Tests for the choice of subnets `phaseout check` may scan, with fake interface lists
// (addresses in documentation text use RFC 5737/1918 values; nothing here opens a socket).
#include "net/local_subnets.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace phaseout::net {
namespace {

uint32_t Ip(const char* text) {
  auto s = Ipv4Subnet::Parse(std::string(text) + "/32");
  EXPECT_TRUE(s) << text;
  return s ? s->network : 0;
}

InterfaceAddress If(const char* name, const char* address, int prefix) {
  InterfaceAddress i;
  i.name = name;
  i.address = Ip(address);
  i.prefix = prefix;
  return i;
}

std::vector<std::string> Chosen(const SubnetChoice& c) {
  std::vector<std::string> out;
  for (const auto& s : c.subnets) out.push_back(s.interface + " " + s.subnet.ToString());
  return out;
}

SubnetChoice MustChoose(const std::vector<InterfaceAddress>& list, const SubnetChoiceOptions& o = {}) {
  auto r = ChooseCheckSubnets(list, o);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : SubnetChoice{};
}

bool Mentions(const std::vector<std::string>& lines, const std::string& what) {
  for (const auto& l : lines) {
    if (l.find(what) != std::string::npos) return true;
  }
  return false;
}

TEST(Ipv4SubnetTest, ParsesClearsHostBitsAndRefusesJunk) {
  EXPECT_EQ(Ipv4Subnet::Parse("192.168.1.77/24")->ToString(), "192.168.1.0/24");
  EXPECT_EQ(Ipv4Subnet::Parse("10.0.0.1/32")->size(), 1u);
  EXPECT_EQ(Ipv4Subnet::Parse("0.0.0.0/0")->size(), uint64_t{1} << 32);
  EXPECT_FALSE(Ipv4Subnet::Parse("10.0.0.1"));
  EXPECT_FALSE(Ipv4Subnet::Parse("10.0.0.1/33"));
  EXPECT_FALSE(Ipv4Subnet::Parse("10.0.0.1/"));
  EXPECT_FALSE(Ipv4Subnet::Parse("10.0.0.1/2x"));
  EXPECT_FALSE(Ipv4Subnet::Parse("10.0.0/24"));
  EXPECT_FALSE(Ipv4Subnet::Parse("fd00::/120"));
}

TEST(AddressClassTest, Rfc1918Boundaries) {
  EXPECT_TRUE(IsRfc1918(Ip("10.0.0.0")));
  EXPECT_TRUE(IsRfc1918(Ip("10.255.255.255")));
  EXPECT_FALSE(IsRfc1918(Ip("11.0.0.0")));
  EXPECT_FALSE(IsRfc1918(Ip("172.15.255.255")));
  EXPECT_TRUE(IsRfc1918(Ip("172.16.0.0")));
  EXPECT_TRUE(IsRfc1918(Ip("172.31.255.255")));
  EXPECT_FALSE(IsRfc1918(Ip("172.32.0.0")));
  EXPECT_TRUE(IsRfc1918(Ip("192.168.0.1")));
  EXPECT_FALSE(IsRfc1918(Ip("192.169.0.1")));
  EXPECT_FALSE(IsRfc1918(Ip("100.64.0.1")));
  EXPECT_TRUE(IsLinkLocal(Ip("169.254.3.4")));
  EXPECT_TRUE(IsLoopback(Ip("127.1.2.3")));
}

TEST(ChooseCheckSubnetsTest, OnlyAttachedPrivateNetworksAreChosen) {
  std::vector<InterfaceAddress> list = {
      If("lo", "127.0.0.1", 8),
      If("eth0", "192.168.1.20", 24),
      If("wlan0", "203.0.113.5", 24),    // public
      If("eth1", "169.254.10.2", 16),    // link-local
      If("wwan0", "100.64.12.9", 10),    // carrier-grade NAT
      If("eth2", "172.20.4.9", 23),
  };
  list[0].loopback = true;
  SubnetChoice c = MustChoose(list);
  EXPECT_EQ(Chosen(c), (std::vector<std::string>{"eth0 192.168.1.0/24", "eth2 172.20.4.0/23"}));
  EXPECT_TRUE(Mentions(c.skipped, "wlan0 203.0.113.5/24: a public address"));
  EXPECT_TRUE(Mentions(c.skipped, "eth1 169.254.10.2/16: a link-local address"));
  EXPECT_TRUE(Mentions(c.skipped, "wwan0 100.64.12.9/10: a carrier-grade NAT"));
  EXPECT_FALSE(Mentions(c.skipped, "lo "));  // loopback is silently not a network to check
  EXPECT_EQ(c.subnets[0].own_address, Ip("192.168.1.20"));
  EXPECT_FALSE(c.subnets[0].clamped);
  // Own addresses of every up interface are known, so the scan can leave them out.
  EXPECT_EQ(c.own_addresses.size(), 6u);
}

TEST(ChooseCheckSubnetsTest, OnlyPublicAddressesGiveNothing) {
  SubnetChoice c = MustChoose({If("eth0", "198.51.100.7", 24), If("eth1", "8.8.4.1", 16)});
  EXPECT_TRUE(c.subnets.empty());
  EXPECT_EQ(c.skipped.size(), 2u);
}

TEST(ChooseCheckSubnetsTest, NoInterfacesGiveNothing) {
  SubnetChoice c = MustChoose({});
  EXPECT_TRUE(c.subnets.empty());
  EXPECT_TRUE(c.skipped.empty());
}

TEST(ChooseCheckSubnetsTest, LoopbackIsNeverChosenOutsideTheTestingHook) {
  InterfaceAddress lo = If("lo", "127.0.0.1", 8);
  lo.loopback = true;
  InterfaceAddress fake = If("lab0", "127.30.0.1", 24);  // not flagged loopback, still 127/8
  SubnetChoice c = MustChoose({lo, fake});
  EXPECT_TRUE(c.subnets.empty());
  EXPECT_TRUE(Mentions(c.skipped, "lab0 127.30.0.1/24: the loopback address"));
  SubnetChoiceOptions testing;
  testing.loopback_is_private_for_testing = true;
  SubnetChoice t = MustChoose({fake}, testing);
  EXPECT_EQ(Chosen(t), (std::vector<std::string>{"lab0 127.30.0.0/24"}));
}

TEST(ChooseCheckSubnetsTest, OversizedNetworksAreClampedToASlash22AroundThisMachine) {
  SubnetChoice c = MustChoose({If("eth0", "10.1.200.33", 8), If("eth1", "172.16.5.5", 22)});
  EXPECT_EQ(Chosen(c), (std::vector<std::string>{"eth0 10.1.200.0/22", "eth1 172.16.4.0/22"}));
  EXPECT_TRUE(c.subnets[0].clamped);
  EXPECT_EQ(c.subnets[0].attached.ToString(), "10.0.0.0/8");
  EXPECT_FALSE(c.subnets[1].clamped);
  EXPECT_TRUE(Mentions(c.notes, "eth0: the attached network 10.0.0.0/8 is larger than a /22; only 10.1.200.0/22"));
  for (const auto& s : c.subnets) EXPECT_LE(s.subnet.size(), 1024u);
}

TEST(ChooseCheckSubnetsTest, DownInterfacesAreSkipped) {
  InterfaceAddress down = If("eth0", "192.168.7.2", 24);
  down.up = false;
  SubnetChoice c = MustChoose({down});
  EXPECT_TRUE(c.subnets.empty());
  EXPECT_TRUE(Mentions(c.skipped, "eth0 192.168.7.2/24: the interface is down"));
  EXPECT_TRUE(c.own_addresses.empty());
}

TEST(ChooseCheckSubnetsTest, PointToPointAndSingleAddressesAreSkipped) {
  InterfaceAddress vpn = If("tun0", "10.8.0.6", 24);
  vpn.point_to_point = true;
  SubnetChoice c = MustChoose({vpn, If("wg0", "10.9.0.2", 32)});
  EXPECT_TRUE(c.subnets.empty());
  EXPECT_TRUE(Mentions(c.skipped, "tun0 10.8.0.6/24: a point-to-point link"));
  EXPECT_TRUE(Mentions(c.skipped, "wg0 10.9.0.2/32: a single address"));
}

TEST(ChooseCheckSubnetsTest, DuplicatesAndContainedBlocksAreScannedOnce) {
  SubnetChoice c = MustChoose({
      If("eth0", "192.168.1.20", 24),
      If("eth0", "192.168.1.21", 24),   // second address, same network
      If("br0", "192.168.1.1", 24),     // a bridge on the same network
      If("eth1", "192.168.1.130", 25),  // contained in the /24 already chosen
      If("eth2", "10.0.1.5", 24),
      If("eth3", "10.0.0.9", 22),       // swallows the earlier 10.0.1.0/24
  });
  EXPECT_EQ(Chosen(c), (std::vector<std::string>{"eth0 192.168.1.0/24", "eth3 10.0.0.0/22"}));
  EXPECT_TRUE(Mentions(c.notes, "br0: 192.168.1.0/24 is already covered by 192.168.1.0/24 (eth0)"));
  EXPECT_TRUE(Mentions(c.notes, "eth1: 192.168.1.128/25 is already covered"));
}

TEST(ChooseCheckSubnetsTest, NamedSubnetsMustLieInsideAnAttachedPrivateNetwork) {
  std::vector<InterfaceAddress> list = {If("eth0", "10.1.200.33", 16), If("wlan0", "203.0.113.5", 24)};
  SubnetChoiceOptions o;
  o.named = {*Ipv4Subnet::Parse("10.1.0.0/20"), *Ipv4Subnet::Parse("10.1.8.0/24")};
  SubnetChoice c = MustChoose(list, o);
  EXPECT_EQ(Chosen(c), (std::vector<std::string>{"eth0 10.1.0.0/20"}));  // the /24 is inside the /20
  EXPECT_TRUE(c.subnets[0].named);
  EXPECT_TRUE(Mentions(c.notes, "10.1.0.0/20 was named: 4096 addresses"));

  for (const char* bad : {"10.2.0.0/24",        // private, not attached
                          "203.0.113.0/24",     // attached, public
                          "10.0.0.0/8",         // larger than attached and than a /16
                          "10.1.0.0/15",        // reaches beyond the attached /16
                          "0.0.0.0/0"}) {
    o.named = {*Ipv4Subnet::Parse(bad)};
    auto r = ChooseCheckSubnets(list, o);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(Ipv4Subnet::Parse(bad)->ToString()), std::string::npos)
        << r.error().message;
  }
}

TEST(ChooseCheckSubnetsTest, NamedSubnetOnADownInterfaceIsRefused) {
  InterfaceAddress down = If("eth0", "192.168.7.2", 24);
  down.up = false;
  SubnetChoiceOptions o;
  o.named = {*Ipv4Subnet::Parse("192.168.7.0/24")};
  auto r = ChooseCheckSubnets({down}, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("attached: none"), std::string::npos) << r.error().message;
}

TEST(StillAttachedTest, NoticesAnInterfaceThatDisappearsOrChanges) {
  SubnetChoice c = MustChoose({If("eth0", "192.168.1.20", 24)});
  ASSERT_EQ(c.subnets.size(), 1u);
  EXPECT_TRUE(StillAttached(c.subnets[0], {If("eth0", "192.168.1.20", 24)}));
  EXPECT_FALSE(StillAttached(c.subnets[0], {}));
  EXPECT_FALSE(StillAttached(c.subnets[0], {If("eth0", "192.168.5.20", 24)}));  // new address
  EXPECT_FALSE(StillAttached(c.subnets[0], {If("eth1", "192.168.1.20", 24)}));  // other interface
  InterfaceAddress down = If("eth0", "192.168.1.20", 24);
  down.up = false;
  EXPECT_FALSE(StillAttached(c.subnets[0], {down}));
}

TEST(TestingInterfacesTest, AcceptsOnlyLoopbackAddresses) {
  auto ok = ParseTestingInterfaces("lab0=127.30.0.1/24, lab1=127.31.0.1/28:down");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].name, "lab0");
  EXPECT_EQ((*ok)[0].prefix, 24);
  EXPECT_TRUE((*ok)[0].up);
  EXPECT_FALSE((*ok)[1].up);
  for (const char* bad : {"eth0=192.168.1.2/24", "eth0=10.0.0.1/8", "lab0=127.0.0.1/7",
                          "lab0=127.30.0.1", "=127.0.0.1/8", "lab0", "lab0=8.8.8.8/32"}) {
    auto r = ParseTestingInterfaces(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  auto empty = ParseTestingInterfaces("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(TestingInterfacesTest, ReadsAFileOnEveryCall) {
  std::string path = ::testing::TempDir() + "phaseout_ifaces_test.txt";
  { std::ofstream(path) << "lab0=127.30.0.1/24\n"; }
  auto first = ParseTestingInterfaces("@" + path);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 1u);
  { std::ofstream(path) << ""; }
  auto second = ParseTestingInterfaces("@" + path);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->empty());
  std::remove(path.c_str());
  auto missing = ParseTestingInterfaces("@" + path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ListInterfaceAddressesTest, ReturnsTheKernelListWithoutFailing) {
  auto r = ListInterfaceAddresses();
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& i : *r) {
    EXPECT_FALSE(i.name.empty());
    EXPECT_LE(i.prefix, 32);
  }
}

}  // namespace
}  // namespace phaseout::net
