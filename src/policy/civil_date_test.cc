// Tests for CivilDate parsing, bounds and formatting.
#include "policy/civil_date.h"

#include <gtest/gtest.h>

namespace phaseout::policy {
namespace {

TEST(CivilDateTest, ParsesAllPrecisions) {
  auto y = CivilDate::Parse("2023");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->ToString(), "2023");
  EXPECT_EQ(y->FirstDay().ToString(), "2023-01-01");
  EXPECT_EQ(y->LastDay().ToString(), "2023-12-31");
  auto m = CivilDate::Parse("2024-02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->LastDay().ToString(), "2024-02-29");  // leap year
  auto d = CivilDate::Parse("2020-11-17");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->IsComplete());
  EXPECT_EQ(d->FirstDay(), *d);
}

TEST(CivilDateTest, RejectsBadDates) {
  for (const char* bad : {"", "20", "2023-13", "2023-02-30", "2023/01/01", "1800", "2023-1-01", "abcd",
                          "2023-01-01T00:00"}) {
    auto r = CivilDate::Parse(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) { EXPECT_NE(r.error().message.find("bad date"), std::string::npos); }
  }
}

TEST(CivilDateTest, OrdersCompleteDates) {
  EXPECT_LT(*CivilDate::Parse("2019-12-31"), *CivilDate::Parse("2020-01-01"));
  EXPECT_LT(CivilDate::Parse("2018-02")->FirstDay(), *CivilDate::Parse("2018-02-02"));
}

}  // namespace
}  // namespace phaseout::policy
