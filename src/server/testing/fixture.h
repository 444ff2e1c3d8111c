// Test support: an inventory with two departments, three sites and devices at two of them,
// users of every role with tokens, two enrolled agents, and an Api over it (SQLite in a
// temporary folder, or a PostgreSQL URL). Requests go straight to Api::Handle.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "inventory/inventory.h"
#include "server/api.h"
#include "server/auth.h"

namespace phaseout::server::testing {

inline constexpr const char* kSitesYaml = R"(
departments:
  - id: finance
    name: Department of Finance
    sites:
      - id: hq
        scopes: [127.16.0.0/24]
        deadlines: {us-ndaa-889: 2027-01-31}
      - id: branch
        scopes: [127.16.1.0/24]
  - id: defence
    name: Department of Defence
    sites:
      - id: base
        scopes: [127.17.0.0/24]
)";

inline std::string DeviceLine(const std::string& ip, const std::string& mac, bool prohibited = true) {
  return R"({"type":"device","ip":")" + ip + R"(","open_ports":[80],"mac":")" + mac +
         R"(","manufacturer":"hikvision","brand":null,"device_type":"camera","model":"DS-2CD2143G2-I","firmware":"V5.7","serial":null,"confidence":0.9,"evidence":[{"probe":"http","port":80,"field":"http.header.server","value":"App-webs/","rule":"hikvision.http.server.webs"}],"verdicts":[{"policy":"us-ndaa-889","status":")" +
         (prohibited ? "prohibited" : "clear") + R"(","reason":"r","clause":""}],"notes":[]})";
}

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
};

class ServerFixture : public ::testing::Test {
 protected:
  // Set location_ before calling SetUpServer to use another database (PostgreSQL).
  void SetUp() override {
    if (location_.empty()) {
      std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      for (char& c : name) {
        if (c == '/') c = '_';
      }
      dir_ = std::filesystem::temp_directory_path() / ("phaseout-server-" + std::to_string(getpid()) + "-" + name);
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      location_ = (dir_ / "inventory.db").string();
    }
    SetUpServer();
  }
  void TearDown() override {
    api_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  virtual void Configure(ServerOptions* options) {}

  void SetUpServer() {
    auto inv = inventory::Inventory::Open(location_);
    ASSERT_TRUE(inv) << inv.error().message;
    auto sites = inventory::ParseSitesYaml(kSitesYaml, "sites.yaml");
    ASSERT_TRUE(sites) << sites.error().message;
    ASSERT_TRUE((*inv)->ImportSites(*sites, "tester", "initial").ok());
    Ingest(**inv, "seed-hq", "hq", {DeviceLine("127.16.0.10", "00:11:22:33:44:01"), DeviceLine("127.16.0.11", "00:11:22:33:44:02")});
    Ingest(**inv, "seed-base", "base", {DeviceLine("127.17.0.10", "00:11:22:33:44:03")});
    inventory::DeviceFilter f;
    auto hq = (*inv)->ListDevices(f);
    ASSERT_TRUE(hq);
    for (const auto& d : *hq) {
      if (d.site == "hq" && hq_device_ == 0) hq_device_ = d.id;
      if (d.site == "base") base_device_ = d.id;
    }
    ASSERT_NE(hq_device_, 0);
    ASSERT_NE(base_device_, 0);

    ASSERT_TRUE(MigrateServerTables((*inv)->store()).ok());
    AuthOptions ao;
    ao.password_cost = PasswordCost::kInteractive;
    ao.now_s = [this] { return now_.load(); };
    AuthStore auth((*inv)->store(), ao);
    auto add = [&](const std::string& name, Role role, std::vector<std::string> deps, std::vector<std::string> sites) {
      User u;
      u.name = name;
      u.role = role;
      u.departments = std::move(deps);
      u.sites = std::move(sites);
      ASSERT_TRUE(auth.AddUser(u, kPassword).ok()) << name;
      auto t = auth.CreateToken(name, "test", 0);
      ASSERT_TRUE(t);
      tokens_[name] = t->token;
    };
    add("admin", Role::kAdmin, {}, {});
    add("programme", Role::kProgramme, {}, {});
    add("officer", Role::kOfficer, {"finance"}, {});
    add("site", Role::kSite, {}, {"hq"});
    add("procurement", Role::kProcurement, {}, {});
    auto enrol = [&](const std::string& label, std::vector<std::string> sites) {
      auto secret = auth.CreateEnrolSecret(sites, 3600, "tester");
      ASSERT_TRUE(secret);
      auto e = auth.Enrol(*secret, label);
      ASSERT_TRUE(e) << e.error().message;
      tokens_[label] = e->key;
      agent_ids_[label] = e->agent_id;
    };
    enrol("agent", {"hq"});
    enrol("agent-base", {"base"});
    inv->reset();

    ServerOptions options;
    options.db = location_;
    options.data_dir = PHASEOUT_SOURCE_DATA_DIR;
    options.rate_per_s = 0;
    options.auth = ao;
    options.max_body_bytes = 256 * 1024;
    Configure(&options);
    auto api = Api::Create(options);
    ASSERT_TRUE(api) << api.error().message;
    api_ = std::move(*api);
  }

  void Ingest(inventory::Inventory& inv, const std::string& key, const std::string& site,
              const std::vector<std::string>& lines) {
    inventory::ScanMeta m;
    m.scan_key = key;
    m.site = site;
    m.started_at = "2026-11-01T10:00:00Z";
    auto ing = inv.BeginIngest(m);
    ASSERT_TRUE(ing) << ing.error().message;
    int64_t seq = 0;
    for (const auto& l : lines) ASSERT_TRUE((*ing)->AddLine(l, ++seq).ok());
    ASSERT_TRUE((*ing)->Commit());
  }

  // A request with a bearer token for `who` ("" = none).
  Reply Call(const std::string& method, const std::string& target, const std::string& who = "",
             const std::string& body = "", const std::string& content_type = "application/json",
             std::vector<std::pair<std::string, std::string>> extra_headers = {}) {
    HttpRequest r;
    r.method = method;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string query = target.substr(q + 1);
      size_t i = 0;
      while (i <= query.size()) {
        size_t amp = query.find('&', i);
        if (amp == std::string::npos) amp = query.size();
        std::string item = query.substr(i, amp - i);
        size_t eq = item.find('=');
        if (!item.empty()) {
          r.query.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
        }
        i = amp + 1;
      }
    }
    if (!who.empty()) r.headers.emplace_back("authorization", "Bearer " + tokens_.at(who));
    if (!body.empty()) r.headers.emplace_back("content-type", content_type);
    for (auto& h : extra_headers) r.headers.push_back(h);
    r.body = body;
    r.remote_addr = remote_addr_;
    HttpResponse out = api_->Handle(r);
    return {out.status, out.body, out.content_type, out.headers};
  }

  static constexpr const char* kPassword = "correct horse battery";
  std::filesystem::path dir_;
  std::string location_;
  std::unique_ptr<Api> api_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> agent_ids_;
  int64_t hq_device_ = 0, base_device_ = 0;
  std::atomic<int64_t> now_{1800000000};
  std::string remote_addr_ = "127.0.0.1";
};

}  // namespace phaseout::server::testing
