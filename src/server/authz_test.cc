// The role x endpoint authorisation matrix, table-driven: every route of the table is called by
// every role (and without credentials) and must answer exactly the expected status. Includes an
// agent pushing for a site it is not bound to and users reading devices of another department;
// revoked, expired and unknown credentials are refused.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "server/testing/backends.h"

namespace phaseout::server {
namespace {

using testing::Reply;
using testing::ServerFixture;

// Callers in column order.
const std::vector<std::string> kCallers = {"", "admin", "programme", "officer", "site", "procurement", "agent"};

struct Row {
  std::string method, target, body, content_type;
  // Expected status per caller in kCallers order.
  std::vector<int> expected;
};

class AuthzMatrix : public testing::BackendFixture {};

TEST_P(AuthzMatrix, EveryRoleOnEveryRoute) {
  const std::string hq = std::to_string(hq_device_), base = std::to_string(base_device_);
  const std::string json = "application/json";
  const std::string sites_yaml = std::string(testing::kSitesYaml);
  // The agent's own scan for the ingest rows (started once, by the agent bound to hq).
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"m1","site":"hq"})").status, 201);
  //                                                                  none admin prog offi site proc agent
  std::vector<Row> rows = {
      {"GET", "/healthz", "", "", {200, 200, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/me", "", "", {401, 200, 200, 200, 200, 200, 200}},
      // Login is public; a body without a password is refused for everybody.
      {"POST", "/api/v1/session", R"({"user":"admin"})", json, {400, 400, 400, 400, 400, 400, 400}},
      {"GET", "/api/v1/departments", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/sites", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/sites/hq", "", "", {401, 200, 200, 200, 200, 403, 403}},
      // Another department's site: officer (finance) and site (hq) are refused.
      {"GET", "/api/v1/sites/base", "", "", {401, 200, 200, 403, 403, 403, 403}},
      {"PUT", "/api/v1/sites", sites_yaml, "application/yaml", {401, 200, 403, 403, 403, 403, 403}},
      {"GET", "/api/v1/devices", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/devices/" + hq, "", "", {401, 200, 200, 200, 200, 403, 403}},
      // A device of another department.
      {"GET", "/api/v1/devices/" + base, "", "", {401, 200, 200, 403, 403, 403, 403}},
      // Lifecycle: officers decide for their departments; a site manager only claims removals.
      {"POST", "/api/v1/devices/" + hq + "/transitions", R"({"to":"confirmed","note":"checked on site"})", json,
       {401, 403, 403, 200, 403, 403, 403}},
      {"POST", "/api/v1/devices/" + base + "/transitions", R"({"to":"confirmed","note":"x"})", json,
       {401, 403, 403, 403, 403, 403, 403}},
      {"GET", "/api/v1/waivers", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/audit", "", "", {401, 200, 200, 403, 403, 403, 403}},
      {"GET", "/api/v1/audit?device=" + hq, "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/audit?device=" + base, "", "", {401, 200, 200, 403, 403, 403, 403}},
      {"GET", "/api/v1/audit/verify", "", "", {401, 200, 200, 403, 403, 403, 403}},
      {"GET", "/api/v1/events", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/overview?policy=us-ndaa-889", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"GET", "/api/v1/reports/status.csv?policy=us-ndaa-889", "", "", {401, 200, 200, 200, 200, 403, 403}},
      {"POST", "/api/v1/screening?policy=us-ndaa-889", "manufacturer,model\nHikvision,DS-2CD2143G2-I\n", "text/csv",
       {401, 200, 200, 403, 403, 200, 403}},
      {"GET", "/api/v1/users", "", "", {401, 200, 403, 403, 403, 403, 403}},
      {"POST", "/api/v1/users", R"({"name":"newuser","role":"programme","password":"a long enough password"})", json,
       {401, 201, 403, 403, 403, 403, 403}},
      // Disables the user the previous row added (admin only).
      {"POST", "/api/v1/users/newuser/disable", "", "", {401, 200, 403, 403, 403, 403, 403}},
      {"POST", "/api/v1/users/programme/tokens", R"({"label":"script"})", json, {401, 201, 403, 403, 403, 403, 403}},
      {"DELETE", "/api/v1/tokens/nosuchtoken", "", "", {401, 404, 403, 403, 403, 403, 403}},
      {"POST", "/api/v1/agents/secrets", R"({"sites":["hq"],"expires_in_s":600})", json, {401, 201, 403, 403, 403, 403, 403}},
      {"GET", "/api/v1/agents", "", "", {401, 200, 403, 403, 403, 403, 403}},
      {"DELETE", "/api/v1/agents/nosuchagent", "", "", {401, 404, 403, 403, 403, 403, 403}},
      {"GET", "/api/v1/agents/schedule", "", "", {401, 403, 403, 403, 403, 403, 200}},
      {"POST", "/api/v1/agents/enrol", R"({"secret":"poe_wrong","name":"x"})", json, {401, 401, 401, 401, 401, 401, 401}},
      {"POST", "/api/v1/scans", R"({"scan_key":"m1","site":"hq"})", json, {401, 403, 403, 403, 403, 403, 200}},
      {"POST", "/api/v1/scans/m1/records?first_seq=1", testing::DeviceLine("127.16.0.20", "00:11:22:33:44:20") + "\n",
       "application/x-ndjson", {401, 403, 403, 403, 403, 403, 200}},
      {"POST", "/api/v1/scans/m1/complete", R"({"records":1,"complete":true})", json, {401, 403, 403, 403, 403, 403, 200}},
      {"DELETE", "/api/v1/session", "", "", {401, 200, 200, 200, 200, 200, 403}},
  };
  std::set<std::string> covered;
  for (const auto& row : rows) {
    ASSERT_EQ(row.expected.size(), kCallers.size()) << row.target;
    std::string pattern_key = row.method + " " + row.target.substr(0, row.target.find('?'));
    covered.insert(pattern_key);
    for (size_t i = 0; i < kCallers.size(); ++i) {
      Reply r = Call(row.method, row.target, kCallers[i], row.body, row.content_type);
      EXPECT_EQ(r.status, row.expected[i]) << row.method << " " << row.target << " as '" << kCallers[i] << "': " << r.body;
      if (r.status >= 400) {
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].contains("code") && j["error"].contains("message"))
            << r.body;
      }
    }
  }
  // Every route of the table is in the matrix (with its path parameters filled in).
  for (const auto& route : Api::Routes()) {
    if (route.pattern == "/metrics") continue;
    bool found = false;
    for (const auto& key : covered) {
      std::string m = key.substr(0, key.find(' '));
      std::string path = key.substr(key.find(' ') + 1);
      if (m != route.method) continue;
      // Compare segment by segment; {x} matches anything.
      std::vector<std::string> a, b;
      auto split = [](const std::string& s, std::vector<std::string>* out) {
        size_t i = 1;
        while (i <= s.size()) {
          size_t j = s.find('/', i);
          if (j == std::string::npos) j = s.size();
          out->push_back(s.substr(i, j - i));
          i = j + 1;
        }
      };
      split(route.pattern, &a);
      split(path, &b);
      if (a.size() != b.size()) continue;
      bool same = true;
      for (size_t k = 0; k < a.size(); ++k) same = same && (a[k] == b[k] || (a[k].size() > 1 && a[k][0] == '{'));
      found = found || same;
    }
    EXPECT_TRUE(found) << "route not in the matrix: " << route.method << " " << route.pattern;
  }
}

TEST_P(AuthzMatrix, AgentCannotPushForASiteItIsNotBoundTo) {
  // agent-base is bound to base only.
  Reply start = Call("POST", "/api/v1/scans", "agent-base", R"({"scan_key":"x1","site":"hq"})");
  EXPECT_EQ(start.status, 403) << start.body;
  // Nor push records into, or complete, another agent's scan of hq.
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"x2","site":"hq"})").status, 201);
  EXPECT_EQ(Call("POST", "/api/v1/scans/x2/records?first_seq=1", "agent-base",
                 testing::DeviceLine("127.16.0.30", "00:11:22:33:44:30") + "\n", "application/x-ndjson")
                .status,
            403);
  EXPECT_EQ(Call("POST", "/api/v1/scans/x2/complete", "agent-base", R"({"records":0})").status, 403);
  // Agents read no devices.
  EXPECT_EQ(Call("GET", "/api/v1/devices", "agent-base").status, 403);
}

TEST_P(AuthzMatrix, OfficerSeesOnlyTheirDepartmentsDevices) {
  Reply r = Call("GET", "/api/v1/devices", "officer");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["total"], 2);
  EXPECT_EQ(j["total_exact"], true);  // a count under the cap (docs/server.md, "Device list counts")
  for (const auto& d : j["devices"]) EXPECT_EQ(d["department"], "finance");
  // Asking for the other department explicitly gives nothing, not its devices.
  r = Call("GET", "/api/v1/devices?department=defence", "officer");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["total"], 0);
  r = Call("GET", "/api/v1/devices", "programme");
  EXPECT_EQ(nlohmann::json::parse(r.body)["total"], 3);
  // The overview counts per site (keyed like the report's tables) and only the caller's scope.
  r = Call("GET", "/api/v1/overview?policy=us-ndaa-889", "programme");
  ASSERT_EQ(r.status, 200) << r.body;
  int64_t covered = 0;
  auto all = nlohmann::json::parse(r.body);
  for (const auto& site : all["by_site"]) covered += site["covered"].get<int64_t>();
  EXPECT_GT(covered, 0) << r.body;
  r = Call("GET", "/api/v1/overview?policy=us-ndaa-889", "officer");
  ASSERT_EQ(r.status, 200) << r.body;
  auto scoped = nlohmann::json::parse(r.body);
  for (const auto& site : scoped["by_site"]) EXPECT_NE(site["site"], "base") << r.body;
  r = Call("GET", "/api/v1/reports/status.json?policy=us-ndaa-889", "site");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("base"), std::string::npos) << r.body;
}

TEST_P(AuthzMatrix, RevokedExpiredUnknownAndDisabledCredentialsAreRefused) {
  EXPECT_EQ(Call("GET", "/api/v1/me", "programme").status, 200);
  // A token with a lifetime: valid now, refused once expired.
  Reply t = Call("POST", "/api/v1/users/programme/tokens", "admin", R"({"label":"short","expires_in_s":60})");
  ASSERT_EQ(t.status, 201) << t.body;
  auto tj = nlohmann::json::parse(t.body);
  tokens_["short"] = tj["token"];
  EXPECT_EQ(Call("GET", "/api/v1/devices", "short").status, 200);
  now_ += 61;
  EXPECT_EQ(Call("GET", "/api/v1/devices", "short").status, 401);
  // Revoked.
  t = Call("POST", "/api/v1/users/officer/tokens", "admin", R"({})");
  ASSERT_EQ(t.status, 201);
  tj = nlohmann::json::parse(t.body);
  tokens_["revoked"] = tj["token"];
  EXPECT_EQ(Call("GET", "/api/v1/devices", "revoked").status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + tj["id"].get<std::string>(), "admin").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "revoked").status, 401);
  // Unknown and malformed tokens.
  tokens_["forged"] = "pot_" + std::string(64, 'a');
  EXPECT_EQ(Call("GET", "/api/v1/devices", "forged").status, 401);
  HttpRequest basic;
  basic.method = "GET";
  basic.path = "/api/v1/devices";
  basic.headers.emplace_back("authorization", "Basic YWRtaW46YWRtaW4=");
  EXPECT_EQ(api_->Handle(basic).status, 401);
  // A revoked agent key.
  EXPECT_EQ(Call("GET", "/api/v1/agents/schedule", "agent-base").status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/agents/" + agent_ids_["agent-base"], "admin").status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/scans", "agent-base", R"({"scan_key":"y1","site":"base"})").status, 401);
  // A disabled user's tokens stop working; the admin disables through the API, not itself,
  // and an unknown user is 404.
  EXPECT_EQ(Call("GET", "/api/v1/devices", "site").status, 200);
  Reply d = Call("POST", "/api/v1/users/site/disable", "admin");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(nlohmann::json::parse(d.body)["disabled"], true) << d.body;
  EXPECT_EQ(Call("GET", "/api/v1/devices", "site").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/users/nobody-here/disable", "admin").status, 404);
  Reply self = Call("POST", "/api/v1/users/admin/disable", "admin");
  EXPECT_EQ(self.status, 409) << self.body;
  EXPECT_EQ(Call("GET", "/api/v1/users", "admin").status, 200);
  // Disabling twice changes nothing more.
  EXPECT_EQ(Call("POST", "/api/v1/users/site/disable", "admin").status, 200);
}

TEST_P(AuthzMatrix, EnrolmentSecretIsSingleUseAndExpires) {
  Reply s = Call("POST", "/api/v1/agents/secrets", "admin", R"({"sites":["branch"],"expires_in_s":100})");
  ASSERT_EQ(s.status, 201) << s.body;
  std::string secret = nlohmann::json::parse(s.body)["secret"];
  Reply e = Call("POST", "/api/v1/agents/enrol", "", R"({"secret":")" + secret + R"(","name":"cam-gw"})");
  ASSERT_EQ(e.status, 200) << e.body;
  auto ej = nlohmann::json::parse(e.body);
  EXPECT_EQ(ej["sites"], nlohmann::json::array({"branch"}));
  tokens_["new-agent"] = ej["key"];
  Reply sched = Call("GET", "/api/v1/agents/schedule", "new-agent");
  ASSERT_EQ(sched.status, 200);
  auto sj = nlohmann::json::parse(sched.body);
  ASSERT_EQ(sj["scans"].size(), 1u);
  EXPECT_EQ(sj["scans"][0]["site"], "branch");
  EXPECT_EQ(sj["scans"][0]["targets"][0], "127.16.1.0/24");
  // Replayed secret.
  EXPECT_EQ(Call("POST", "/api/v1/agents/enrol", "", R"({"secret":")" + secret + R"(","name":"again"})").status, 401);
  // Expired secret.
  s = Call("POST", "/api/v1/agents/secrets", "admin", R"({"sites":["branch"],"expires_in_s":100})");
  secret = nlohmann::json::parse(s.body)["secret"];
  now_ += 101;
  EXPECT_EQ(Call("POST", "/api/v1/agents/enrol", "", R"({"secret":")" + secret + R"(","name":"late"})").status, 401);
  // Unknown site in a secret.
  EXPECT_EQ(Call("POST", "/api/v1/agents/secrets", "admin", R"({"sites":["nowhere"]})").status, 400);
}

INSTANTIATE_TEST_SUITE_P(Stores, AuthzMatrix, testing::kBackends, testing::BackendName);

}  // namespace
}  // namespace phaseout::server
