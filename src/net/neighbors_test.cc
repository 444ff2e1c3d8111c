// Tests for the /proc/net/arp parser.
#include "net/neighbors.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace phaseout::net {
namespace {

constexpr const char* kArp =
    "IP address       HW type     Flags       HW address            Mask     Device\n"
    "192.168.1.64     0x1         0x2         BC:AD:28:01:02:03     *        eth0\n"
    "192.168.1.65     0x1         0x0         00:00:00:00:00:00     *        eth0\n"
    "192.168.1.66     0x1         0x6         3c:ef:8c:aa:bb:cc     *        eth1\n"
    "garbage line\n"
    "192.168.1.67     0x1         0x2         not-a-mac             *        eth0\n"
    "999.1.1.1        0x1         0x2         3c:ef:8c:aa:bb:cd     *        eth0\n"
    "192.168.1.68     0x1         zz          3c:ef:8c:aa:bb:ce     *        eth0\n";

TEST(NeighborsTest, ParsesCompleteEntriesOnly) {
  std::vector<NeighborEntry> e = ParseProcNetArp(kArp);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].ip, "192.168.1.64");
  EXPECT_EQ(e[0].mac, "bc:ad:28:01:02:03");
  EXPECT_EQ(e[0].device, "eth0");
  EXPECT_EQ(e[1].ip, "192.168.1.66");
  EXPECT_EQ(e[1].mac, "3c:ef:8c:aa:bb:cc");
}

TEST(NeighborsTest, EmptyAndHeaderOnly) {
  EXPECT_TRUE(ParseProcNetArp("").empty());
  EXPECT_TRUE(ParseProcNetArp("IP address HW type Flags HW address Mask Device\n").empty());
}

TEST(NeighborsTest, CacheReadsFile) {
  std::string path = ::testing::TempDir() + "/phaseout_arp.txt";
  {
    std::ofstream out(path);
    out << kArp;
  }
  NeighborCache cache(path);
  EXPECT_EQ(cache.Lookup("192.168.1.64"), "bc:ad:28:01:02:03");
  EXPECT_EQ(cache.Lookup("192.168.1.65"), "");
  NeighborCache missing("/nonexistent/arp");
  EXPECT_EQ(missing.Lookup("192.168.1.64"), "");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace phaseout::net
