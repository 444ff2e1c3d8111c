// The HTTP follow-ups are data (data/followups/http.yaml): a follow-up is sent only when a rule
// asks for it, and only while its reply can still change the port's identification. Also the
// table loader's checks.
#include "engine/followup_planner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/knowledge.h"

namespace phaseout::engine {
namespace {

using model::Observation;

const Knowledge& K() {
  static const Knowledge* k = [] {
    auto loaded = LoadKnowledge(PHASEOUT_SOURCE_DATA_DIR);
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message;
      std::abort();
    }
    return new Knowledge(std::move(*loaded));
  }();
  return *k;
}

// The follow-up ids the shipped planner would send, one after the other, if every follow-up
// reply added `per_reply[id]` (nothing when absent).
std::vector<std::string> Plan(std::vector<Observation> root,
                              const std::map<std::string, std::vector<Observation>>& per_reply = {}) {
  std::vector<std::string> sent;
  std::vector<Observation> so_far = std::move(root);
  while (sent.size() < probes::http::kMaxFollowUps) {
    auto next = K().http_followups->Next(so_far, sent);
    if (!next) break;
    sent.push_back(next->id);
    auto more = per_reply.find(next->id);
    if (more != per_reply.end()) so_far.insert(so_far.end(), more->second.begin(), more->second.end());
  }
  return sent;
}

Observation Http(const char* key, const char* value) { return {"http", 80, key, value}; }

TEST(FollowUpPlanner, LoadKnowledgeInstallsTheDataDrivenPlanner) {
  ASSERT_TRUE(K().http_followups != nullptr);
  EXPECT_EQ(static_cast<const void*>(probes::http::CurrentFollowUpPlanner().get()),
            static_cast<const void*>(K().http_followups.get()));
}

TEST(FollowUpPlanner, NothingAskedNothingSent) {
  EXPECT_TRUE(Plan({Http("http.header.server", "nginx/1.22.1"), Http("http.status", "404")}).empty());
}

TEST(FollowUpPlanner, HikvisionHabitAsksLoginPageThenStopsOnceDecided) {
  // Server: App-webs/ is one medium identifying fact: not decisive. The login page then names
  // Hikvision on branded firmware (strong): decided, label known, so ISAPI is not needed.
  std::map<std::string, std::vector<Observation>> replies = {
      {"hikvision.login_page",
       {Http("http.login_page.status", "200"),
        Http("http.login_page.body", "<div id=\"footer\">&copy;Hikvision Digital Technology Co., Ltd. All Rights Reserved.</div>")}}};
  auto decided = Plan({Http("http.header.server", "App-webs/"), Http("http.status", "200")}, replies);
  EXPECT_EQ(decided, (std::vector<std::string>{"hikvision.login_page"}));
  // When the login page says nothing, ISAPI is asked next.
  auto undecided = Plan({Http("http.header.server", "App-webs/"), Http("http.status", "200")});
  EXPECT_EQ(undecided, (std::vector<std::string>{"hikvision.login_page", "hikvision.isapi_device_info"}));
}

TEST(FollowUpPlanner, DahuaHabitAsksMagicBoxForTheSerialEvenWhenDecided) {
  // No Server header is a hint; the magicBox realm gives the serial, so it is asked.
  auto plan = Plan({Http("http.no_server_header", "true"), Http("http.title", "WEB SERVICE"),
                    Http("http.header.content-type", "text/html")},
                   {{"dahua.magicbox", {Http("magicbox.auth.realm", "Login to 4H01D66PAJ2FA64")}}});
  ASSERT_FALSE(plan.empty());
  EXPECT_EQ(plan[0], "dahua.magicbox");
  // Once the realm decided the maker and gave the serial, the favicon adds nothing.
  EXPECT_EQ(std::count(plan.begin(), plan.end(), "any.favicon"), 0) << ::testing::PrintToString(plan);
}

TEST(FollowUpPlanner, FaviconOnlyForUndecidedHtml) {
  EXPECT_EQ(Plan({Http("http.title", "Router login"), Http("http.header.content-type", "text/html")}),
            (std::vector<std::string>{"any.favicon"}));
  EXPECT_TRUE(Plan({Http("http.header.content-type", "application/json")}).empty());
}

class FollowUpLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("phaseout-followups-" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  Result<std::vector<fingerprint::FollowUpEntry>> Load(const std::string& text) {
    std::ofstream(path_) << text;
    return fingerprint::LoadFollowUps(path_.string(), *K().rules);
  }
  std::filesystem::path path_;
};

TEST_F(FollowUpLoader, ShippedTableLoads) {
  auto shipped = fingerprint::LoadFollowUps(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/followups/http.yaml", *K().rules);
  ASSERT_TRUE(shipped) << shipped.error().message;
  for (const auto& e : *shipped) {
    EXPECT_NE(e.source.find('/'), std::string::npos) << e.id << ": cite a repository path or URL";
  }
}

TEST_F(FollowUpLoader, RejectsBadEntries) {
  const std::string head = "description: d\nsource: s\nfollowups:\n";
  const std::string ok = "  - {id: a, reads: favicon, path: /favicon.ico, when_html: true, adds: [manufacturer], reason: r, source: o/r p}\n";
  ASSERT_TRUE(Load(head + ok));
  auto expect_error = [&](const std::string& entry, const char* words) {
    auto r = Load(head + entry);
    ASSERT_FALSE(r) << entry;
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(path_.string() + ":"), std::string::npos) << r.error().message;
  };
  expect_error("  - {id: a, reads: favicon, path: /x, asked_by: [no.such.rule], adds: [manufacturer], reason: r, source: s}\n",
               "no fingerprint rule 'no.such.rule'");
  expect_error("  - {id: a, reads: favicon, path: /x, adds: [manufacturer], reason: r, source: s}\n", "nothing asks for it");
  expect_error("  - {id: a, reads: favicon, path: '/a?user=admin', when_html: true, adds: [manufacturer], reason: r, source: s}\n",
               "credential-free");
  expect_error("  - {id: a, reads: favicon, path: /x, when_html: true, adds: [colour], reason: r, source: s}\n", "'adds' value");
  expect_error("  - {id: a, reads: favicon, path: /x, when_html: true, adds: [manufacturer], reason: r}\n", "missing 'source'");
  expect_error(ok + ok, "duplicate follow-up id");
  expect_error("  - {id: a, reads: favicon, path: /x, when_html: true, adds: [manufacturer], reason: r, source: s, via: post}\n",
               "unknown field 'via'");
  // A parser the probe does not have is refused when the planner is built.
  auto unknown = Load(head + "  - {id: a, reads: sdk_login, path: /x, when_html: true, adds: [manufacturer], reason: r, source: s}\n");
  ASSERT_TRUE(unknown);
  auto planner = FollowUpRulePlanner::Create(K().rules, *unknown, "http.yaml");
  ASSERT_FALSE(planner);
  EXPECT_NE(planner.error().message.find("cannot read 'sdk_login'"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::engine
