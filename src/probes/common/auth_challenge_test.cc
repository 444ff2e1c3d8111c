// Tests for WWW-Authenticate parsing.
#include "probes/common/auth_challenge.h"

#include <gtest/gtest.h>

namespace phaseout::probes::common {
namespace {

TEST(ParseAuthChallenges, HikvisionCameraDigest) {
  auto c = ParseAuthChallenges(R"x(Digest qop="auth", realm="IP Camera(C2183)", nonce="4e5468694e7a", stale="FALSE")x");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "Digest");
  ASSERT_NE(c[0].Param("REALM"), nullptr);
  EXPECT_EQ(*c[0].Param("realm"), "IP Camera(C2183)");
  EXPECT_EQ(*c[0].Param("stale"), "FALSE");
}

TEST(ParseAuthChallenges, NvrDigestWithEmptyAndColonValues) {
  auto c = ParseAuthChallenges(
      R"x(Digest realm="4f3a7c2b", domain="::", qop="auth", nonce="a5b0:1589", opaque="", algorithm="MD5", stale="FALSE")x");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(*c[0].Param("domain"), "::");
  EXPECT_EQ(*c[0].Param("opaque"), "");
  EXPECT_EQ(*c[0].Param("algorithm"), "MD5");
}

TEST(ParseAuthChallenges, SeveralChallengesInOneHeader) {
  auto c = ParseAuthChallenges(R"x(Digest realm="hikvision", nonce="ab, cd", Basic realm="/", Bearer)x");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].scheme, "Digest");
  EXPECT_EQ(*c[0].Param("nonce"), "ab, cd");
  EXPECT_EQ(c[1].scheme, "Basic");
  EXPECT_EQ(*c[1].Param("realm"), "/");
  EXPECT_EQ(c[2].scheme, "Bearer");
  EXPECT_EQ(c[2].Param("realm"), nullptr);
}

TEST(ParseAuthChallenges, EscapesBareValuesAndOddSpacing) {
  auto c = ParseAuthChallenges("Basic   realm = \"a\\\"b\" ,, charset=UTF-8");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(*c[0].Param("realm"), "a\"b");
  EXPECT_EQ(*c[0].Param("charset"), "UTF-8");
}

TEST(ParseAuthChallenges, UnterminatedQuoteAndJunk) {
  auto c = ParseAuthChallenges("Digest realm=\"Login to 4H01D66PAJ2FA64");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(*c[0].Param("realm"), "Login to 4H01D66PAJ2FA64");
  EXPECT_TRUE(ParseAuthChallenges("").empty());
  EXPECT_TRUE(ParseAuthChallenges(" , ,").empty());
  EXPECT_TRUE(ParseAuthChallenges("=\"\"=,=").empty());  // only separators: terminates, nothing found
}

TEST(ParseAuthChallenges, Bounded) {
  std::string many;
  for (int i = 0; i < 100; ++i) many += "S" + std::to_string(i) + " ";
  EXPECT_EQ(ParseAuthChallenges(many).size(), 16u);
}

}  // namespace
}  // namespace phaseout::probes::common
