// Tests for VendorRegistry: validation errors, dated ownership, lookups, the shipped file.
#include "policy/vendor_registry.h"

#include <gtest/gtest.h>

#include <set>

namespace phaseout::policy {
namespace {

std::string ShippedVendors() { return std::string(PHASEOUT_SOURCE_DATA_DIR) + "/vendors.yaml"; }

CivilDate D(const char* s) { return *CivilDate::Parse(s); }

// A small valid registry that tests modify to produce one error at a time.
constexpr const char* kSmall = R"(schema: 1
vendors:
  - id: maker
    display_name: Maker
    kind: manufacturer
    restricted_group: maker
  - id: sub
    display_name: Sub
    kind: subsidiary
    restricted_group: maker
    parents:
      - {parent: maker, from: "2018-02", to: "2023", confidence: high, source: "s", verified: true}
  - id: label
    display_name: Label
    kind: oem-label
    oem_of:
      - {maker: maker, confidence: medium, source: "s"}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// Expects loading `yaml` to fail with a message containing every needle.
void ExpectLoadError(const std::string& yaml, std::initializer_list<const char*> needles) {
  auto reg = VendorRegistry::LoadFromString(yaml, "test.yaml");
  ASSERT_FALSE(reg) << "loaded although it should fail";
  EXPECT_EQ(reg.error().code, ErrorCode::kInvalidArgument);
  for (const char* n : needles) {
    EXPECT_NE(reg.error().message.find(n), std::string::npos) << "missing '" << n << "' in: " << reg.error().message;
  }
}

TEST(VendorRegistryTest, SmallFixtureLoads) {
  auto reg = VendorRegistry::LoadFromString(kSmall, "test.yaml");
  ASSERT_TRUE(reg) << reg.error().message;
  EXPECT_EQ(reg->vendors().size(), 3u);
  EXPECT_TRUE(reg->IsRestrictedMaker("maker"));
  EXPECT_FALSE(reg->IsRestrictedMaker("sub"));
}

TEST(VendorRegistryTest, RejectsDuplicateIds) {
  std::string yaml = std::string(kSmall) + "  - {id: sub, display_name: Again, kind: brand}\n";
  ExpectLoadError(yaml, {"test.yaml:", "duplicate vendor id 'sub'", "first defined at line"});
}

TEST(VendorRegistryTest, RejectsUnknownParent) {
  ExpectLoadError(Replace(kSmall, "parent: maker", "parent: nobody"), {"vendor 'sub'", "unknown parent id 'nobody'"});
}

TEST(VendorRegistryTest, RejectsUnknownOemMaker) {
  ExpectLoadError(Replace(kSmall, "maker: maker", "maker: ghost"), {"vendor 'label'", "unknown oem_of maker id 'ghost'"});
}

TEST(VendorRegistryTest, RejectsUnknownRestrictedGroup) {
  ExpectLoadError(Replace(kSmall, "    restricted_group: maker\n    parents", "    restricted_group: ghost\n    parents"),
                  {"vendor 'sub'", "unknown restricted_group id 'ghost'"});
}

TEST(VendorRegistryTest, RejectsBadDates) {
  ExpectLoadError(Replace(kSmall, "from: \"2018-02\"", "from: \"2018-13\""), {"test.yaml:12", "bad date '2018-13'"});
  ExpectLoadError(Replace(kSmall, "from: \"2018-02\"", "from: \"2024\""), {"'from' 2024 is after 'to' 2023"});
}

TEST(VendorRegistryTest, RejectsUnknownKindFieldAndConfidence) {
  ExpectLoadError(Replace(kSmall, "kind: oem-label", "kind: reseller"), {"unknown kind 'reseller'"});
  ExpectLoadError(Replace(kSmall, "    parents:\n", "    parnets: []\n    parents:\n"), {"unknown field 'parnets'"});
  ExpectLoadError(Replace(kSmall, "confidence: medium", "confidence: sure"), {"unknown confidence 'sure'"});
}

TEST(VendorRegistryTest, RejectsBadIdsAndMissingFields) {
  ExpectLoadError(Replace(kSmall, "id: label", "id: Label X"), {"lowercase"});
  ExpectLoadError(Replace(kSmall, "    display_name: Label\n", ""), {"vendor 'label'", "missing required field 'display_name'"});
  ExpectLoadError(Replace(kSmall, "confidence: medium, source: \"s\"", "confidence: medium"),
                  {"missing required field 'source'"});
}

TEST(VendorRegistryTest, RejectsGroupThatDisagreesWithParents) {
  ExpectLoadError(Replace(kSmall, "    kind: oem-label\n", "    kind: oem-label\n    restricted_group: maker\n"),
                  {"vendor 'label'", "disagrees with its parent chain"});
}

TEST(VendorRegistryTest, RejectsCycles) {
  std::string yaml = R"(vendors:
  - id: a
    display_name: A
    kind: subsidiary
    parents: [{parent: b, confidence: high, source: s}]
  - id: b
    display_name: B
    kind: subsidiary
    parents: [{parent: a, confidence: high, source: s}]
)";
  ExpectLoadError(yaml, {"ownership cycle"});
}

TEST(VendorRegistryTest, ReportsYamlSyntaxErrorsWithLine) {
  auto reg = VendorRegistry::LoadFromString("vendors:\n  - id: [unclosed\n", "broken.yaml");
  ASSERT_FALSE(reg);
  EXPECT_NE(reg.error().message.find("broken.yaml:"), std::string::npos) << reg.error().message;
  EXPECT_NE(reg.error().message.find("YAML error"), std::string::npos);
}

TEST(VendorRegistryTest, MissingFileIsNotFound) {
  auto reg = VendorRegistry::Load("/nonexistent/vendors.yaml");
  ASSERT_FALSE(reg);
  EXPECT_EQ(reg.error().code, ErrorCode::kNotFound);
  EXPECT_NE(reg.error().message.find("/nonexistent/vendors.yaml"), std::string::npos);
}

TEST(VendorRegistryTest, LoadsShippedFile) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg) << reg.error().message;
  for (const char* id : {"hikvision", "dahua", "huawei", "zte", "hytera"}) {
    EXPECT_TRUE(reg->IsRestrictedMaker(id)) << id;
  }
  // The canonical ids agreed with the fingerprint engineer.
  for (const char* id : {"ezviz", "hilook", "hiwatch", "hikmicro", "prama", "hikrobot", "imou", "lorex", "huaray",
                         "hisilicon", "honor", "lts", "interlogix", "amcrest", "cpplus", "axis", "hanwha", "bosch",
                         "uniview", "xiongmai", "mikrotik", "tp-link", "hp", "ubiquiti", "generic", "sepura",
                         "hikvision-canada"}) {
    EXPECT_NE(reg->Find(id), nullptr) << id;
  }
}

TEST(VendorRegistryTest, ShippedFactsCarrySources) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg);
  for (const auto& e : reg->AllNames()) {
    if (e.provenance != nullptr) {
      EXPECT_FALSE(e.provenance->source.empty()) << *e.text;
    }
  }
  // Chinese legal names of the five makers are present.
  std::set<std::string> names;
  for (const auto& e : reg->AllNames()) names.insert(*e.text);
  for (const char* n : {"杭州海康威视数字技术股份有限公司", "浙江大华技术股份有限公司", "华为技术有限公司",
                        "中兴通讯股份有限公司", "海能达通信股份有限公司"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
}

TEST(VendorRegistryTest, LorexIsDahuaOnlyWithinOwnershipDates) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg);
  auto in2019 = reg->GroupOf("lorex", D("2019-06-01"));
  ASSERT_TRUE(in2019);
  EXPECT_EQ(in2019->maker, "dahua");
  EXPECT_EQ(in2019->path, (std::vector<std::string>{"lorex", "dahua"}));
  EXPECT_FALSE(reg->GroupOf("lorex", D("2024-01-01")));
  EXPECT_FALSE(reg->GroupOf("lorex", D("2017-12-31")));
  // Bounds are inclusive at their precision: "from 2018-02" includes 2018-02-01, "to 2023" all of 2023.
  EXPECT_TRUE(reg->GroupOf("lorex", D("2018-02-01")));
  EXPECT_TRUE(reg->GroupOf("lorex", D("2023-12-31")));
  // Undated: the conservative default counts the edge and says it is time-bounded.
  auto undated = reg->GroupOf("lorex");
  ASSERT_TRUE(undated);
  EXPECT_EQ(undated->maker, "dahua");
  EXPECT_TRUE(undated->time_bounded);
}

TEST(VendorRegistryTest, HonorLeftHuaweiIn2020) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg);
  EXPECT_TRUE(reg->GroupOf("honor", D("2020-11-16")));
  EXPECT_FALSE(reg->GroupOf("honor", D("2020-11-18")));
}

TEST(VendorRegistryTest, GroupOfWalksMultiLevelChains) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg);
  auto g = reg->GroupOf("powertrunk", D("2022-01-01"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->maker, "hytera");
  EXPECT_EQ(g->path, (std::vector<std::string>{"powertrunk", "teltronic", "sepura", "hytera"}));
  EXPECT_EQ(g->links.size(), 3u);
  // Sepura joined Hytera in 2017: in 2016 the chain is broken.
  EXPECT_FALSE(reg->GroupOf("powertrunk", D("2016-06-01")));
  auto self = reg->GroupOf("hikvision");
  ASSERT_TRUE(self);
  EXPECT_EQ(self->path, std::vector<std::string>{"hikvision"});
  EXPECT_FALSE(self->time_bounded);
  EXPECT_FALSE(reg->GroupOf("axis"));
  EXPECT_FALSE(reg->GroupOf("lts"));  // an OEM label is not a group member
  EXPECT_FALSE(reg->GroupOf("no-such-vendor"));
}

TEST(VendorRegistryTest, OemLinks) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg);
  auto lts = reg->OemLinks("lts");
  ASSERT_EQ(lts.size(), 1u);
  EXPECT_EQ(lts[0]->maker, "hikvision");
  EXPECT_EQ(lts[0]->confidence, Confidence::kHigh);
  EXPECT_EQ(reg->OemLinks("amcrest", "dahua").size(), 1u);
  EXPECT_TRUE(reg->OemLinks("amcrest", "hikvision").empty());
  EXPECT_TRUE(reg->OemLinks("indigovision", "dahua", D("2022-01-01")).empty());
  EXPECT_EQ(reg->OemLinks("indigovision", "dahua", D("2020-01-01")).size(), 1u);
}

TEST(VendorRegistryTest, ModelPrefixesForScreening) {
  auto reg = VendorRegistry::Load(ShippedVendors());
  ASSERT_TRUE(reg);
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& p : reg->AllModelPrefixes()) got.insert({p.vendor->id, p.prefix->prefix});
  EXPECT_TRUE(got.count({"hikvision", "DS-"}));
  EXPECT_TRUE(got.count({"dahua", "DHI-"}));
  EXPECT_TRUE(got.count({"ezviz", "CS-"}));
  EXPECT_TRUE(got.count({"hilook", "IPC-B"}));
}

TEST(VendorRegistryTest, MovedRegistryKeepsPointersValid) {
  auto reg = VendorRegistry::LoadFromString(kSmall, "test.yaml");
  ASSERT_TRUE(reg);
  const Vendor* before = reg->Find("sub");
  VendorRegistry moved = std::move(*reg);
  EXPECT_EQ(moved.Find("sub"), before);
}

}  // namespace
}  // namespace phaseout::policy
