// Tests for estate generation: deterministic by seed, addresses inside the block, fractions
// and mix weights honoured, bad specs rejected; ground-truth JSON lines.
#include "tools/lab/estate.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace phaseout::lab {
namespace {

PortSpec Port(uint16_t number, PortKind kind) {
  PortSpec p;
  p.port = number;
  p.kind = kind;
  return p;
}

GroundTruth Truth(const char* maker, const char* type, const char* serial, const char* oui, bool identified) {
  GroundTruth t;
  t.manufacturer = maker;
  t.brand = maker;
  t.device_type = type;
  t.model = "M";
  t.firmware = "V1";
  t.serial = serial;
  t.ouis = {oui};
  t.expect_identified = identified;
  return t;
}

std::vector<Profile> TwoProfiles() {
  std::vector<Profile> out(2);
  out[0].id = "a";
  out[0].truth = Truth("hikvision", "camera", "SA{n:6}", "C42F90", true);
  out[0].ports = {Port(80, PortKind::kHttp), Port(554, PortKind::kRtsp)};
  out[1].id = "b";
  out[1].truth = Truth("", "server", "B{n:3}", "020000", false);
  out[1].ports = {Port(80, PortKind::kHttp), Port(554, PortKind::kRefuse)};
  return out;
}

TEST(LabEstate, ParseBlock) {
  auto b = ParseLabBlock("127.16.0.0/16");
  ASSERT_TRUE(b);
  EXPECT_EQ(Ipv4ToString(b->first), "127.16.0.0");
  EXPECT_EQ(Ipv4ToString(b->second), "127.16.255.255");
  EXPECT_FALSE(ParseLabBlock("10.0.0.0/8"));
  EXPECT_FALSE(ParseLabBlock("192.168.1.0/24"));
  EXPECT_FALSE(ParseLabBlock("127.0.0.0/7"));
  EXPECT_FALSE(ParseLabBlock("127.1.2"));
  EXPECT_FALSE(ParseLabBlock("127.1.2.300/24"));
}

TEST(LabEstate, DeterministicBySeed) {
  LabSpec spec;
  spec.base = "127.20.0.0/20";
  spec.devices = 300;
  spec.silent_fraction = 0.1;
  spec.refuse_fraction = 0.5;
  spec.hostile = 3;
  auto a = BuildEstate(spec, TwoProfiles());
  auto b = BuildEstate(spec, TwoProfiles());
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->hosts.size(), b->hosts.size());
  for (size_t i = 0; i < a->hosts.size(); ++i) EXPECT_EQ(TruthToJson(a->hosts[i]), TruthToJson(b->hosts[i]));
  spec.seed = 2;
  auto c = BuildEstate(spec, TwoProfiles());
  ASSERT_TRUE(c);
  std::set<uint32_t> da, dc;
  for (const auto& h : a->hosts) {
    if (h.kind == HostKind::kDevice) da.insert(h.ip);
  }
  for (const auto& h : c->hosts) {
    if (h.kind == HostKind::kDevice) dc.insert(h.ip);
  }
  EXPECT_NE(da, dc);
}

TEST(LabEstate, CountsFractionsAndPlacement) {
  LabSpec spec;
  spec.base = "127.21.0.0/16";
  spec.devices = 1000;
  spec.hostile = 6;
  spec.silent_fraction = 0.2;
  spec.refuse_fraction = 0.3;
  auto e = BuildEstate(spec, TwoProfiles());
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->devices, 1000u);
  EXPECT_EQ(e->hostile, 6u);
  const double rest = 65536 - 2 - 1006;
  EXPECT_NEAR(e->silent / rest, 0.2, 0.02);
  EXPECT_NEAR(e->refused / rest, 0.3 * 0.8, 0.02);  // refuse_fraction applies to the non-silent rest
  std::set<std::string> serials;
  std::map<std::string, int> per_profile;
  uint32_t prev = 0;
  for (const auto& h : e->hosts) {
    EXPECT_GT(h.ip, e->first);
    EXPECT_LT(h.ip, e->last);
    EXPECT_GT(h.ip, prev);  // ascending, no duplicates
    prev = h.ip;
    if (h.kind == HostKind::kDevice) {
      serials.insert(h.serial);
      ++per_profile[h.profile_id];
      EXPECT_EQ(h.mac.size(), 17u);
    }
  }
  EXPECT_EQ(serials.size(), 1000u);
  EXPECT_NEAR(per_profile["a"], 500, 80);
  spec.mix = {{"b", 1}};  // a mix lists the only profiles used
  auto only_b = BuildEstate(spec, TwoProfiles());
  ASSERT_TRUE(only_b);
  for (const auto& h : only_b->hosts) {
    if (h.kind == HostKind::kDevice) {
      EXPECT_EQ(h.profile_id, "b");
    }
  }
}

TEST(LabEstate, RejectsBadSpecs) {
  LabSpec spec;
  spec.base = "127.22.0.0/30";  // 2 usable addresses
  spec.devices = 3;
  EXPECT_FALSE(BuildEstate(spec, TwoProfiles()));
  spec.base = "127.22.0.0/24";
  spec.mix = {{"nope", 1}};
  auto e = BuildEstate(spec, TwoProfiles());
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("nope"), std::string::npos);
  spec.mix = {{"a", 0}};
  EXPECT_FALSE(BuildEstate(spec, TwoProfiles()));  // every weight zero
  spec.mix.clear();
  spec.silent_fraction = 1.5;
  EXPECT_FALSE(BuildEstate(spec, TwoProfiles()));
  spec.silent_fraction = 0.5;
  spec.refuse_fraction = -0.1;
  EXPECT_FALSE(BuildEstate(spec, TwoProfiles()));
}

TEST(LabEstate, TruthJson) {
  LabSpec spec;
  spec.base = "127.23.0.0/24";
  spec.devices = 5;
  spec.mix = {{"b", 2}};
  auto e = BuildEstate(spec, TwoProfiles());
  ASSERT_TRUE(e);
  const TruthEntry* dev = nullptr;
  const TruthEntry* refuse = nullptr;
  for (const auto& h : e->hosts) {
    if (h.kind == HostKind::kDevice && !dev) dev = &h;
    if (h.kind == HostKind::kRefuse && !refuse) refuse = &h;
  }
  ASSERT_TRUE(dev && refuse);
  const std::string j = TruthToJson(*dev);
  EXPECT_NE(j.find("\"kind\":\"device\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"manufacturer\":null"), std::string::npos) << j;
  EXPECT_NE(j.find("\"open_ports\":[80]"), std::string::npos) << j;
  EXPECT_NE(j.find("\"expect_identified\":false"), std::string::npos) << j;
  EXPECT_NE(TruthToJson(*refuse).find("\"kind\":\"refuse\""), std::string::npos);
}

}  // namespace
}  // namespace phaseout::lab
