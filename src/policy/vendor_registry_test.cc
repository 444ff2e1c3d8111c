// Tests for VendorRegistry: validation errors, dated ownership, lookups, the shipped file.
#include "policy/vendor_registry.h"

#include <gtest/gtest.h>

namespace phaseout::policy {
namespace {

std::string ShippedVendors() { return std::string(PHASEOUT_SOURCE_DATA_DIR) + "/vendors.yaml"; }

TEST(VendorRegistryTest, LoadsShippedFile) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg) << reg.error().message;
  for (const char* id : {"hikvision", "dahua", "huawei", "zte", "hytera"}) {
    EXPECT_TRUE(reg->IsRestrictedMaker(id)) << id;
  }
}

}  // namespace
}  // namespace phaseout::policy
