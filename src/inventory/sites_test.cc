// Sites file parsing and its error messages.
#include "inventory/sites.h"

#include <gtest/gtest.h>

namespace phaseout::inventory {
namespace {

constexpr const char* kGood = R"(
departments:
  - id: finance
    name: Department of Finance
    owner: cso@finance.example
    sites:
      - id: ottawa-hq
        name: Ottawa headquarters
        owner: facilities@finance.example
        location: 90 Elgin St
        scopes: [192.0.2.0/25]
        deadlines:
          ca-federal-2025: 2026-03-31
      - id: toronto
        scopes: [192.0.2.0/25]   # overlapping ranges at different sites are normal
)";

TEST(Sites, ParsesDepartmentsSitesScopesDeadlines) {
  auto f = ParseSitesYaml(kGood, "sites.yaml");
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->departments.size(), 1u);
  ASSERT_EQ(f->sites.size(), 2u);
  EXPECT_EQ(f->sites[0].department, "finance");
  EXPECT_EQ(f->sites[0].deadlines.at("ca-federal-2025"), "2026-03-31");
  EXPECT_TRUE(ScopeContains(f->sites[1].scopes, "192.0.2.3"));
  EXPECT_EQ(f->sites[1].name, "toronto");
}

TEST(Sites, ReportsProblemsWithLines) {
  auto bad = ParseSitesYaml(R"(
departments:
  - id: finance
    sites:
      - id: a
        scopes: [192.0.2.0/40]
        deadlines: {us-ndaa-889: 2026-02-30}
        ownr: typo
      - id: a
)",
                            "s.yaml");
  ASSERT_FALSE(bad);
  const std::string& m = bad.error().message;
  EXPECT_NE(m.find("s.yaml:6"), std::string::npos) << m;
  EXPECT_NE(m.find("prefix"), std::string::npos) << m;
  EXPECT_NE(m.find("deadline for 'us-ndaa-889'"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'ownr'"), std::string::npos) << m;
  EXPECT_NE(m.find("duplicate site id 'a'"), std::string::npos) << m;
  EXPECT_FALSE(ParseSitesYaml("departments: [", "x.yaml"));
  EXPECT_FALSE(ParseSitesYaml("sites: []", "x.yaml"));
  EXPECT_FALSE(ParseSitesYaml("departments: []", "x.yaml"));
}

}  // namespace
}  // namespace phaseout::inventory
