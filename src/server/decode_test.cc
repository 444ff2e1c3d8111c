// Request decoders: strict types, unknown fields refused, ranges checked; missing seq ranges.
#include "server/decode.h"

#include <gtest/gtest.h>

namespace phaseout::server {
namespace {

TEST(Decode, Integers) {
  EXPECT_EQ(*ParseInteger("42", "n", 0, 100), 42);
  for (const char* bad : {"", "-1", "101", "4x", " 4", "0x10", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInteger(bad, "n", 0, 100)) << bad;
  }
}

TEST(Decode, TransitionIsStrict) {
  auto t = DecodeTransition(R"({"to":"waived","note":"n","approver":"a","reason":"r","expiry":"2027-01-01"})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->to, inventory::DeviceState::kWaived);
  EXPECT_EQ(t->approver, "a");
  EXPECT_TRUE(t->actor.empty());  // never from the body
  EXPECT_FALSE(DecodeTransition(R"({"to":"confirmed","actor":"x"})"));
  EXPECT_FALSE(DecodeTransition(R"({"to":5})"));
  EXPECT_FALSE(DecodeTransition(R"({"note":"x"})"));
  EXPECT_FALSE(DecodeTransition(R"([])"));
  EXPECT_FALSE(DecodeTransition("{"));
}

TEST(Decode, ScanBodies) {
  auto s = DecodeScanStart(R"({"scan_key":"k","site":"hq","scope":["127.0.0.0/8"]})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->scope.size(), 1u);
  EXPECT_FALSE(DecodeScanStart(R"({"scan_key":"a/b","site":"hq"})"));
  EXPECT_FALSE(DecodeScanStart(R"({"scan_key":"k","site":"hq","scope":[1]})"));
  EXPECT_FALSE(DecodeScanStart(R"({"site":"hq"})"));
  auto c = DecodeComplete(R"({"records":3,"complete":false})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->records, 3);
  EXPECT_FALSE(c->complete);
  EXPECT_FALSE(DecodeComplete(R"({"records":-1})"));
  EXPECT_FALSE(DecodeComplete(R"({"records":1.5})"));
  EXPECT_FALSE(DecodeComplete(R"({"records":1,"complete":"yes"})"));
  EXPECT_FALSE(DecodeComplete(R"({})"));
}

TEST(Decode, MissingRanges) {
  EXPECT_EQ(MissingRanges({1, 2, 3}, 3), std::vector<std::string>{});
  EXPECT_EQ(MissingRanges({1, 2, 3}, 5), (std::vector<std::string>{"4-5"}));
  EXPECT_EQ(MissingRanges({2, 4}, 5), (std::vector<std::string>{"1", "3", "5"}));
  EXPECT_EQ(MissingRanges({}, 0), std::vector<std::string>{});
  EXPECT_EQ(MissingRanges({7}, 3), (std::vector<std::string>{"1-3"}));
}

}  // namespace
}  // namespace phaseout::server
