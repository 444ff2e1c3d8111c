#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace phaseout {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return MakeError(ErrorCode::kInvalidArgument, "not positive");
  return v;
}

TEST(ResultTest, HoldsValueOrError) {
  auto ok = ParsePositive(3);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 3);
  auto bad = ParsePositive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "not positive");
}

TEST(ResultTest, StatusOkAndError) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  Status bad = MakeError(ErrorCode::kIo, "disk");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "disk");
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<std::string>> r(std::make_unique<std::string>("x"));
  ASSERT_TRUE(r);
  auto p = std::move(r).value();
  EXPECT_EQ(*p, "x");
}

}  // namespace
}  // namespace phaseout
