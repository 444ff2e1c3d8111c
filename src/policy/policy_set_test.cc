// Tests for PolicySet: loading and validation of policy files, Select, and evaluation of
// subjects and devices against the shipped policies.
#include "policy/policy_set.h"

#include <gtest/gtest.h>

namespace phaseout::policy {
namespace {

TEST(PolicySetTest, LoadsShippedPolicies) {
  auto reg = VendorRegistry::Load(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/vendors.yaml");
  ASSERT_TRUE(reg) << reg.error().message;
  auto set = PolicySet::LoadDirectory(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/policies", *reg);
  ASSERT_TRUE(set) << set.error().message;
}

}  // namespace
}  // namespace phaseout::policy
