// Tests for PolicySet: loading and validation of policy files, Select, and evaluation of
// subjects and devices against the shipped policies (docs/policies.md describes the rules).
#include "policy/policy_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace phaseout::policy {
namespace {

using model::VerdictStatus;

std::string DataDir() { return PHASEOUT_SOURCE_DATA_DIR; }

class ShippedPolicies : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto reg = VendorRegistry::Load(DataDir() + "/vendors.yaml");
    ASSERT_TRUE(reg) << reg.error().message;
    registry_ = new VendorRegistry(std::move(*reg));
    auto set = PolicySet::LoadDirectory(DataDir() + "/policies", *registry_);
    ASSERT_TRUE(set) << set.error().message;
    set_ = new PolicySet(std::move(*set));
  }
  static void TearDownTestSuite() {
    delete set_;
    delete registry_;
    set_ = nullptr;
    registry_ = nullptr;
  }

  static model::Verdict Device(const char* policy, const char* maker, const char* brand, double confidence = 0.9,
                               const char* type = "camera") {
    model::Identification id;
    id.manufacturer = maker;
    id.brand = brand;
    id.confidence = confidence;
    id.device_type = type;
    auto sel = set_->Select({policy});
    EXPECT_TRUE(sel);
    auto v = set_->EvaluateDevice(id, *sel);
    EXPECT_EQ(v.size(), 1u);
    return v.empty() ? model::Verdict{} : v[0];
  }

  static VendorRegistry* registry_;
  static PolicySet* set_;
};
VendorRegistry* ShippedPolicies::registry_ = nullptr;
PolicySet* ShippedPolicies::set_ = nullptr;

bool Has(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

TEST_F(ShippedPolicies, ShipsTheRequiredPolicies) {
  auto ids = set_->Ids();
  for (const char* id : {"ca-federal-2025", "us-ndaa-889", "us-fcc-covered-list", "uk-gov-sensitive-sites-2022",
                         "au-gov-2023"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  for (const auto& p : set_->policies()) {
    EXPECT_FALSE(p.sources.empty()) << p.id;
    EXPECT_FALSE(p.effective.empty()) << p.id;
    EXPECT_FALSE(p.prohibited_actions.empty()) << p.id;
  }
}

TEST_F(ShippedPolicies, SelectUnknownPolicyNamesKnownOnes) {
  auto r = set_->Select({"us-ndaa-889", "nope"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Has(r.error().message, "unknown policy 'nope'; known: "));
  EXPECT_TRUE(Has(r.error().message, "ca-federal-2025"));
  EXPECT_TRUE(Has(r.error().message, "us-ndaa-889"));
}

TEST_F(ShippedPolicies, SelectEmptyMeansAllAndDeduplicates) {
  auto all = set_->Select({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), set_->policies().size());
  auto two = set_->Select({"us-ndaa-889", "us-ndaa-889", "ca-federal-2025"});
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0]->id, "us-ndaa-889");
}

// us-ndaa-889 ---------------------------------------------------------------------------

TEST_F(ShippedPolicies, Ndaa889HikvisionDeviceIsProhibitedUnderClauseB) {
  auto v = Device("us-ndaa-889", "hikvision", "");
  EXPECT_EQ(v.status, VerdictStatus::kProhibited);
  EXPECT_EQ(v.clause, "889(f)(3)(B)");
  EXPECT_TRUE(Has(v.reason, "Made by Hikvision"));
  EXPECT_TRUE(Has(v.reason, "public safety"));  // the purpose qualifier is carried
}

TEST_F(ShippedPolicies, Ndaa889HuaweiIsClauseAWithoutQualifier) {
  auto v = Device("us-ndaa-889", "huawei", "", 0.9, "router");
  EXPECT_EQ(v.status, VerdictStatus::kProhibited);
  EXPECT_EQ(v.clause, "889(f)(3)(A)");
  EXPECT_FALSE(Has(v.reason, "public safety"));
  EXPECT_EQ(Device("us-ndaa-889", "zte", "", 0.9, "router").clause, "889(f)(3)(A)");
  EXPECT_EQ(Device("us-ndaa-889", "hytera", "", 0.9, "").clause, "889(f)(3)(B)");
}

TEST_F(ShippedPolicies, Ndaa889CoversGroupBrandsAndOemBuilds) {
  auto ezviz = Device("us-ndaa-889", "hikvision", "ezviz");
  EXPECT_EQ(ezviz.status, VerdictStatus::kProhibited);
  EXPECT_TRUE(Has(ezviz.reason, "group brand EZVIZ"));
  auto lts = Device("us-ndaa-889", "hikvision", "lts");
  EXPECT_EQ(lts.status, VerdictStatus::kProhibited);
  EXPECT_TRUE(Has(lts.reason, "Made by Hikvision, sold as LTS"));
  auto amcrest = Device("us-ndaa-889", "dahua", "amcrest");
  EXPECT_EQ(amcrest.status, VerdictStatus::kProhibited);
  EXPECT_TRUE(Has(amcrest.reason, "sold as Amcrest"));
  // A subsidiary as the maker (no dated edge).
  EXPECT_EQ(Device("us-ndaa-889", "ezviz", "").status, VerdictStatus::kProhibited);
}

TEST_F(ShippedPolicies, Ndaa889PowerTrunkExceptionGivesReview) {
  Subject s;
  s.vendor = "powertrunk";
  s.date = *CivilDate::Parse("2022-03-01");
  auto f = set_->Evaluate(*set_->Find("us-ndaa-889"), s);
  EXPECT_EQ(f.verdict.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(f.verdict.reason, "DHS"));
  EXPECT_EQ(f.path, (std::vector<std::string>{"powertrunk", "teltronic", "sepura", "hytera"}));
}

// ca-federal-2025 -----------------------------------------------------------------------

TEST_F(ShippedPolicies, CanadaHikvisionProhibitedDahuaClear) {
  auto v = Device("ca-federal-2025", "hikvision", "");
  EXPECT_EQ(v.status, VerdictStatus::kProhibited);
  EXPECT_FALSE(v.clause.empty());
  auto d = Device("ca-federal-2025", "dahua", "");
  EXPECT_EQ(d.status, VerdictStatus::kClear);
  EXPECT_TRUE(d.clause.empty());
  EXPECT_TRUE(Has(d.reason, "no covered manufacturer identified"));
}

TEST_F(ShippedPolicies, CanadaGroupBrandsAreReview) {
  for (const char* brand : {"ezviz", "hilook", "hiwatch", "hikmicro"}) {
    auto made = Device("ca-federal-2025", "hikvision", brand);
    EXPECT_EQ(made.status, VerdictStatus::kReview) << brand;
    EXPECT_TRUE(Has(made.reason, "not stated")) << made.reason;
    auto as_maker = Device("ca-federal-2025", brand, "");
    EXPECT_EQ(as_maker.status, VerdictStatus::kReview) << brand;
  }
}

TEST_F(ShippedPolicies, CanadaOemBuildMadeByHikvisionIsProhibited) {
  auto v = Device("ca-federal-2025", "hikvision", "lts");
  EXPECT_EQ(v.status, VerdictStatus::kProhibited);
  EXPECT_TRUE(Has(v.reason, "Made by Hikvision, sold as LTS"));
  // Without device evidence of the maker, the OEM label alone is review.
  auto label = Device("ca-federal-2025", "", "lts");
  EXPECT_EQ(label.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(label.reason, "maker was not established"));
}

// Cross-cutting rules ---------------------------------------------------------------------

TEST_F(ShippedPolicies, LowConfidenceNeverProhibits) {
  auto v = Device("us-ndaa-889", "hikvision", "", 0.3);
  EXPECT_EQ(v.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(v.reason, "confidence 0.30 is below 0.50"));
  EXPECT_EQ(Device("us-ndaa-889", "hikvision", "", kMinConfidenceForProhibited).status, VerdictStatus::kProhibited);
}

TEST_F(ShippedPolicies, BrandWithoutMakerIsReview) {
  auto v = Device("us-ndaa-889", "", "ezviz");
  EXPECT_EQ(v.status, VerdictStatus::kReview);
  EXPECT_EQ(v.clause, "889(f)(3)(B)");
  EXPECT_TRUE(Has(v.reason, "Labelled EZVIZ"));
}

TEST_F(ShippedPolicies, NothingCoveredIsClear) {
  for (const auto& [maker, brand] : std::vector<std::pair<const char*, const char*>>{
           {"axis", ""}, {"uniview", "uniview"}, {"generic", ""}, {"no-such-vendor", ""}}) {
    auto v = Device("us-ndaa-889", maker, brand);
    EXPECT_EQ(v.status, VerdictStatus::kClear) << maker;
    EXPECT_TRUE(Has(v.reason, "no covered manufacturer identified")) << v.reason;
    EXPECT_TRUE(v.clause.empty());
    EXPECT_EQ(v.policy, "us-ndaa-889");
  }
}

TEST_F(ShippedPolicies, NothingIdentifiedIsUnknownNotClear) {
  for (const auto& policy : {"us-ndaa-889", "ca-federal-2025"}) {
    auto v = Device(policy, "", "");
    EXPECT_EQ(v.status, VerdictStatus::kUnknown) << policy;
    EXPECT_TRUE(Has(v.reason, "nothing identified")) << v.reason;
    EXPECT_TRUE(v.clause.empty());
  }
  // A non-covered brand alone is not an identification of the maker either.
  EXPECT_EQ(Device("us-ndaa-889", "", "axis").status, VerdictStatus::kUnknown);
}

TEST_F(ShippedPolicies, CoveredLabelOnUncoveredMakerIsReview) {
  auto v = Device("us-ndaa-889", "uniview", "lts");
  EXPECT_EQ(v.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(v.reason, "identified maker, Uniview, is not covered"));
}

TEST_F(ShippedPolicies, DatedOwnershipDecidesLorex) {
  const Policy* ndaa = set_->Find("us-ndaa-889");
  ASSERT_NE(ndaa, nullptr);
  Subject s;
  s.vendor = "lorex";
  s.date = *CivilDate::Parse("2019-06-01");
  auto in = set_->Evaluate(*ndaa, s);
  EXPECT_EQ(in.verdict.status, VerdictStatus::kProhibited);
  EXPECT_EQ(in.relation, "group");
  EXPECT_EQ(in.entity, "dahua");
  s.date = *CivilDate::Parse("2024-06-01");
  auto out = set_->Evaluate(*ndaa, s);
  EXPECT_EQ(out.verdict.status, VerdictStatus::kClear);
  EXPECT_TRUE(Has(out.verdict.reason, "only 2018-02..2023"));
  s.date.reset();
  auto undated = set_->Evaluate(*ndaa, s);
  EXPECT_EQ(undated.verdict.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(undated.verdict.reason, "no date was given"));
}

TEST_F(ShippedPolicies, OemLabelAsSupplierDependsOnLinkConfidence) {
  const Policy* ndaa = set_->Find("us-ndaa-889");
  Subject s;
  s.vendor = "lts";  // high-confidence Hikvision OEM label supplying the item
  auto high = set_->Evaluate(*ndaa, s);
  EXPECT_EQ(high.verdict.status, VerdictStatus::kProhibited);
  EXPECT_EQ(high.relation, "oem");
  s.vendor = "interlogix";  // medium
  EXPECT_EQ(set_->Evaluate(*ndaa, s).verdict.status, VerdictStatus::kReview);
  s.vendor = "cpplus";  // unverified
  EXPECT_EQ(set_->Evaluate(*ndaa, s).verdict.status, VerdictStatus::kReview);
  s.vendor = "lts";
  s.role = SubjectRole::kLabel;
  EXPECT_EQ(set_->Evaluate(*ndaa, s).verdict.status, VerdictStatus::kReview);
}

TEST_F(ShippedPolicies, WeakOrUnverifiedGroupLinkIsReview) {
  // HIKMICRO -> Hikvision is a low-confidence, unverified link in vendors.yaml.
  auto v = Device("us-ndaa-889", "hikmicro", "");
  EXPECT_EQ(v.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(v.reason, "the ownership link hikmicro -> hikvision is low confidence")) << v.reason;
  // HiLook -> Hikvision is medium and verified: covered.
  EXPECT_EQ(Device("us-ndaa-889", "hilook", "").status, VerdictStatus::kProhibited);
  // Made by Hikvision itself: the label's weak link does not matter.
  EXPECT_EQ(Device("us-ndaa-889", "hikvision", "hikmicro").status, VerdictStatus::kProhibited);
}

TEST_F(ShippedPolicies, HiSiliconIsReviewNotProhibited) {
  EXPECT_EQ(Device("us-ndaa-889", "hisilicon", "").status, VerdictStatus::kReview);
  EXPECT_EQ(Device("us-fcc-covered-list", "hisilicon", "").status, VerdictStatus::kReview);
}

TEST_F(ShippedPolicies, UkRuleIsScopedToSurveillanceDeviceTypes) {
  EXPECT_EQ(Device("uk-gov-sensitive-sites-2022", "hikvision", "", 0.9, "camera").status, VerdictStatus::kReview);
  EXPECT_EQ(Device("uk-gov-sensitive-sites-2022", "huawei", "", 0.9, "router").status, VerdictStatus::kClear);
  auto unknown = Device("uk-gov-sensitive-sites-2022", "huawei", "", 0.9, "");
  EXPECT_EQ(unknown.status, VerdictStatus::kReview);
  EXPECT_TRUE(Has(unknown.reason, "device type is unknown"));
}

TEST_F(ShippedPolicies, EvaluateDeviceReturnsOneVerdictPerPolicyInOrder) {
  auto sel = set_->Select({"us-ndaa-889", "ca-federal-2025"});
  ASSERT_TRUE(sel);
  model::Identification id;
  id.manufacturer = "dahua";
  id.confidence = 1.0;
  auto v = set_->EvaluateDevice(id, *sel);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].policy, "us-ndaa-889");
  EXPECT_EQ(v[0].status, VerdictStatus::kProhibited);
  EXPECT_EQ(v[1].policy, "ca-federal-2025");
  EXPECT_EQ(v[1].status, VerdictStatus::kClear);
}

// Loader validation -------------------------------------------------------------------------

constexpr const char* kPolicy = R"(schema: 1
id: test-policy
title: Test
jurisdiction: XX
instrument: Test instrument
summary: Test summary.
prohibited_actions: [purchase]
effective: [{date: "2020-01-01", what: start}]
sources: [https://example.invalid/test]
rules:
  - id: r1
    entities: [hikvision]
    clause: "c1"
    summary: "covered things"
    source: https://example.invalid/test
)";

class PolicyLoaderTest : public ShippedPolicies {
 protected:
  static Result<Policy> Load(const std::string& yaml) {
    return PolicySet::LoadFromString(yaml, "test-policy.yaml", *registry_);
  }
  static void ExpectError(const std::string& yaml, std::initializer_list<const char*> needles) {
    auto p = Load(yaml);
    ASSERT_FALSE(p) << "loaded although it should fail";
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    for (const char* n : needles) EXPECT_TRUE(Has(p.error().message, n)) << n << " not in: " << p.error().message;
  }
  static std::string With(const std::string& from, const std::string& to) {
    std::string s = kPolicy;
    auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos);
    if (pos != std::string::npos) s.replace(pos, from.size(), to);
    return s;
  }
};

TEST_F(PolicyLoaderTest, ValidPolicyLoadsWithDefaults) {
  auto p = Load(kPolicy);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->rules.size(), 1u);
  EXPECT_EQ(p->rules[0].made_by, VerdictStatus::kProhibited);
  EXPECT_EQ(p->rules[0].label_only, VerdictStatus::kReview);
  EXPECT_EQ(p->InForceFrom()->ToString(), "2020-01-01");
}

TEST_F(PolicyLoaderTest, UnknownVendorIdNamesFileAndId) {
  ExpectError(With("entities: [hikvision]", "entities: [hikvision, hikvisoin]"),
              {"test-policy.yaml:", "rule 'r1'", "unknown vendor id 'hikvisoin'"});
}

TEST_F(PolicyLoaderTest, OtherErrors) {
  ExpectError(With("prohibited_actions: [purchase]", "prohibited_actions: [buy]"), {"unknown action 'buy'"});
  ExpectError(With("date: \"2020-01-01\"", "date: \"2020-02-31\""), {"bad date '2020-02-31'"});
  ExpectError(With("    clause: \"c1\"\n", ""), {"missing required field 'clause'"});
  ExpectError(With("    source: https://example.invalid/test\n", "    source: x\n    status: {group: banned}\n"),
              {"status 'banned' unknown"});
  ExpectError(std::string(kPolicy) + "  - id: r1\n    entities: [dahua]\n    clause: c\n    summary: s\n    source: x\n",
              {"duplicate rule id 'r1'"});
  ExpectError(With("rules:", "rulez: []\nrules:"), {"unknown field 'rulez'"});
  ExpectError("id: [broken\n", {"test-policy.yaml:", "YAML error"});
}

TEST_F(PolicyLoaderTest, DirectoryErrorsNameTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("phaseout_policy_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "test-policy.yaml") << With("entities: [hikvision]", "entities: [ghost]");
  }
  auto set = PolicySet::LoadDirectory(dir.string(), *registry_);
  ASSERT_FALSE(set);
  EXPECT_TRUE(Has(set.error().message, "test-policy.yaml")) << set.error().message;
  EXPECT_TRUE(Has(set.error().message, "unknown vendor id 'ghost'"));
  // The id must match the file name.
  {
    std::ofstream(dir / "test-policy.yaml") << With("id: test-policy", "id: other-id");
  }
  set = PolicySet::LoadDirectory(dir.string(), *registry_);
  ASSERT_FALSE(set);
  EXPECT_TRUE(Has(set.error().message, "must match the file name")) << set.error().message;
  std::filesystem::remove_all(dir);
  auto missing = PolicySet::LoadDirectory(dir.string(), *registry_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace phaseout::policy
