// CIDR scopes.
#include "inventory/scope.h"

#include <gtest/gtest.h>

namespace phaseout::inventory {
namespace {

TEST(Scope, ContainsV4AndV6) {
  auto c = Cidr::Parse("192.0.2.0/24");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->Contains("192.0.2.200"));
  EXPECT_FALSE(c->Contains("192.0.3.1"));
  EXPECT_FALSE(c->Contains("2001:db8::1"));
  EXPECT_EQ(Cidr::Parse("192.0.2.77/24")->ToString(), "192.0.2.0/24");
  auto v6 = Cidr::Parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains("2001:db8:1::5"));
  EXPECT_FALSE(v6->Contains("2001:db9::5"));
  auto host = Cidr::Parse("127.16.0.9");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->Contains("127.16.0.9"));
  EXPECT_FALSE(host->Contains("127.16.0.10"));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains("198.51.100.1"));
}

TEST(Scope, CoversWholeBlocksOfTheSameFamily) {
  auto c = [](const char* text) { return *Cidr::Parse(text); };
  EXPECT_TRUE(c("127.16.0.0/16").Covers(c("127.16.4.0/24")));
  EXPECT_TRUE(c("127.16.0.0/16").Covers(c("127.16.0.0/16")));
  EXPECT_TRUE(c("127.16.0.0/16").Covers(c("127.16.9.9")));
  EXPECT_FALSE(c("127.16.4.0/24").Covers(c("127.16.0.0/16")));  // wider
  EXPECT_FALSE(c("127.16.0.0/16").Covers(c("127.17.0.0/24")));  // beside
  EXPECT_FALSE(c("127.16.0.0/23").Covers(c("127.16.2.0/24")));
  EXPECT_TRUE(c("0.0.0.0/0").Covers(c("198.51.100.0/24")));
  EXPECT_FALSE(c("0.0.0.0/0").Covers(c("2001:db8::/32")));  // another family
  EXPECT_TRUE(c("2001:db8::/32").Covers(c("2001:db8:1::/48")));
  EXPECT_FALSE(c("2001:db8::/32").Covers(c("2001:db9::/48")));
}

TEST(Scope, RejectsBadText) {
  EXPECT_FALSE(Cidr::Parse("192.0.2.0/33"));
  EXPECT_FALSE(Cidr::Parse("192.0.2/24"));
  EXPECT_FALSE(Cidr::Parse("192.0.2.0/"));
  EXPECT_FALSE(Cidr::Parse("hello"));
  auto list = ParseScopeList("192.0.2.0/25, 192.0.2.128/25");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
  EXPECT_FALSE(ParseScopeList("192.0.2.0/25 nope"));
}

}  // namespace
}  // namespace phaseout::inventory
