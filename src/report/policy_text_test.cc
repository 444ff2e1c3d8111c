// Tests for the policy renderers behind `phaseout policies list|show|check`.
#include "report/policy_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace phaseout::report {
namespace {

struct Shipped {
  Shipped() {
    auto reg = policy::VendorRegistry::Load(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/vendors.yaml");
    EXPECT_TRUE(reg);
    vendors = std::make_unique<policy::VendorRegistry>(std::move(*reg));
    auto set = policy::PolicySet::LoadDirectory(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/policies", *vendors);
    EXPECT_TRUE(set);
    policies = std::make_unique<policy::PolicySet>(std::move(*set));
  }
  std::unique_ptr<policy::VendorRegistry> vendors;
  std::unique_ptr<policy::PolicySet> policies;
};

TEST(PolicyTextTest, ListShowsEveryPolicy) {
  Shipped s;
  std::ostringstream out;
  WritePolicyList(out, *s.policies);
  std::string t = out.str();
  for (const auto& id : s.policies->Ids()) EXPECT_NE(t.find(id), std::string::npos) << id;
  EXPECT_NE(t.find("2019-08-13"), std::string::npos);  // 889 Part A
  EXPECT_NE(t.find("5 policies"), std::string::npos);
  std::ostringstream js;
  WritePolicyListJson(js, *s.policies);
  auto arr = nlohmann::json::parse(js.str());
  ASSERT_EQ(arr.size(), 5u);
  EXPECT_EQ(arr[0]["id"], "au-gov-2023");
}

TEST(PolicyTextTest, ShowExplainsReachAndStatuses) {
  Shipped s;
  std::ostringstream out;
  WritePolicyDetail(out, *s.policies->Find("ca-federal-2025"), *s.vendors);
  std::string t = out.str();
  EXPECT_NE(t.find("group member or brand review"), std::string::npos) << t;
  EXPECT_NE(t.find("OEM build prohibited"), std::string::npos);
  EXPECT_NE(t.find("ezviz (EZVIZ): group, ezviz -> hikvision"), std::string::npos) << t;
  EXPECT_NE(t.find("lts (LTS (LT Security)): oem, OEM of hikvision"), std::string::npos) << t;
  EXPECT_EQ(t.find("lorex"), std::string::npos);  // Dahua's subsidiary is not reached by the Canadian rule
  std::ostringstream ndaa;
  WritePolicyDetail(ndaa, *s.policies->Find("us-ndaa-889"), *s.vendors);
  EXPECT_NE(ndaa.str().find("lorex (Lorex): group, lorex -> dahua, 2018-02..2023"), std::string::npos) << ndaa.str();
  EXPECT_NE(ndaa.str().find("exception for powertrunk -> review"), std::string::npos);
  std::ostringstream js;
  WritePolicyDetailJson(js, *s.policies->Find("us-ndaa-889"), *s.vendors);
  auto j = nlohmann::json::parse(js.str());
  EXPECT_EQ(j["rules"][1]["clause"], "889(f)(3)(B)");
  EXPECT_FALSE(j["rules"][1]["reaches"].empty());
}

TEST(PolicyTextTest, FindingsNamePathAndClause) {
  Shipped s;
  policy::Subject subject;
  subject.vendor = "lorex";
  subject.date = *policy::CivilDate::Parse("2019-06-01");
  auto sel = s.policies->Select({"us-ndaa-889"});
  ASSERT_TRUE(sel);
  std::ostringstream out;
  WriteFindings(out, s.policies->EvaluateAll(*sel, subject));
  EXPECT_NE(out.str().find("us-ndaa-889: prohibited [889(f)(3)(B)] via lorex -> dahua (group)"), std::string::npos)
      << out.str();
}

}  // namespace
}  // namespace phaseout::report
