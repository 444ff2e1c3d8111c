// Identity merging: MAC > serial > address+maker+model, with reviews instead of silent merges.
#include "inventory/identity.h"

#include <gtest/gtest.h>

#include <vector>

namespace phaseout::inventory {
namespace {

class FakeLookup : public IdentityLookup {
 public:
  std::vector<IdentityCandidate> devices;
  std::optional<IdentityCandidate> ByMac(const std::string& mac) override {
    for (auto& d : devices) {
      if (!mac.empty() && d.mac == mac) return d;
    }
    return std::nullopt;
  }
  std::optional<IdentityCandidate> BySerial(const std::string& maker, const std::string& serial) override {
    for (auto& d : devices) {
      if (d.serial == serial && d.manufacturer == maker) return d;
    }
    return std::nullopt;
  }
  std::optional<IdentityCandidate> ByAddressMakerModel(const std::string& ip, const std::string& maker,
                                                       const std::string& model) override {
    for (auto& d : devices) {
      if (d.ip == ip && d.manufacturer == maker && d.model == model) return d;
    }
    return std::nullopt;
  }
};

ScanRecord Rec(std::string ip, std::string mac, std::string serial = "", std::string maker = "hikvision",
               std::string model = "DS-2CD2143G2-I") {
  ScanRecord r;
  r.ip = std::move(ip);
  r.mac = std::move(mac);
  r.serial = std::move(serial);
  r.manufacturer = std::move(maker);
  r.model = std::move(model);
  return r;
}

TEST(Identity, MacWinsAndAddressChangeKeepsId) {
  FakeLookup l;
  l.devices.push_back({7, "aa:bb:cc:00:00:01", "", "192.0.2.10", "hikvision", "DS-2CD2143G2-I", 1});
  auto d = ResolveIdentity(Rec("192.0.2.99", "aa:bb:cc:00:00:01"), 2, l);
  EXPECT_EQ(d.device_id, 7);
  EXPECT_EQ(d.rule, MatchRule::kMac);
  EXPECT_EQ(d.review_device_id, 0);
}

TEST(Identity, SerialWhenNoMac) {
  FakeLookup l;
  l.devices.push_back({3, "", "DS123", "192.0.2.10", "hikvision", "m", 1});
  auto d = ResolveIdentity(Rec("192.0.2.50", "", "DS123", "hikvision", "m"), 2, l);
  EXPECT_EQ(d.device_id, 3);
  EXPECT_EQ(d.rule, MatchRule::kSerial);
}

TEST(Identity, SameSerialDifferentMacIsReviewedNotMerged) {
  FakeLookup l;
  l.devices.push_back({3, "aa:bb:cc:00:00:01", "DS123", "192.0.2.10", "hikvision", "m", 1});
  auto d = ResolveIdentity(Rec("192.0.2.11", "aa:bb:cc:00:00:02", "DS123", "hikvision", "m"), 2, l);
  EXPECT_EQ(d.device_id, 0);
  EXPECT_EQ(d.review_device_id, 3);
}

TEST(Identity, WeakKeyAttachesOnlyWithoutMac) {
  FakeLookup l;
  l.devices.push_back({5, "", "", "192.0.2.10", "dahua", "IPC-HDW", 1});
  // A routed scan (no MAC) sees the same address, maker and model: attached by the weak rule.
  auto weak = ResolveIdentity(Rec("192.0.2.10", "", "", "dahua", "IPC-HDW"), 2, l);
  EXPECT_EQ(weak.device_id, 5);
  EXPECT_EQ(weak.rule, MatchRule::kAddressMakerModel);
  // A record with a MAC is not merged into the MAC-less device on the weak key: new + review.
  auto with_mac = ResolveIdentity(Rec("192.0.2.10", "aa:bb:cc:00:00:09", "", "dahua", "IPC-HDW"), 2, l);
  EXPECT_EQ(with_mac.device_id, 0);
  EXPECT_EQ(with_mac.review_device_id, 5);
  EXPECT_FALSE(with_mac.review_reason.empty());
}

TEST(Identity, ReplacementUnitAtSameAddressIsANewDevice) {
  FakeLookup l;
  l.devices.push_back({5, "aa:bb:cc:00:00:01", "", "192.0.2.10", "hikvision", "m", 1});
  auto d = ResolveIdentity(Rec("192.0.2.10", "aa:bb:cc:00:00:02", "", "hikvision", "m"), 2, l);
  EXPECT_EQ(d.device_id, 0);
  EXPECT_EQ(d.review_device_id, 0);
  // Different serials at one address: different units.
  FakeLookup l2;
  l2.devices.push_back({6, "", "S1", "192.0.2.10", "hikvision", "m", 1});
  auto d2 = ResolveIdentity(Rec("192.0.2.10", "", "S2", "hikvision", "m"), 2, l2);
  EXPECT_EQ(d2.device_id, 0);
}

TEST(Identity, DuplicateMacInOneScanIsKeptApart) {
  FakeLookup l;
  l.devices.push_back({9, "aa:bb:cc:00:00:01", "", "192.0.2.10", "hikvision", "m", 4});
  auto d = ResolveIdentity(Rec("192.0.2.11", "aa:bb:cc:00:00:01"), 4, l);  // same scan 4, other address
  EXPECT_EQ(d.device_id, 0);
  EXPECT_TRUE(d.duplicate_in_scan);
  EXPECT_EQ(d.review_device_id, 9);
}

TEST(Identity, NothingMatchesMeansNew) {
  FakeLookup l;
  auto d = ResolveIdentity(Rec("192.0.2.1", ""), 1, l);
  EXPECT_EQ(d.device_id, 0);
  EXPECT_EQ(d.rule, MatchRule::kNew);
  EXPECT_STREQ(MatchRuleName(MatchRule::kAddressMakerModel), "address+maker+model");
}

}  // namespace
}  // namespace phaseout::inventory
