// Bad input gets the right status and a JSON error, and stores nothing: oversized and malformed
// bodies, wrong content types, traversal in report and static downloads, missing CSRF tokens,
// too many logins, a database that goes away (PostgreSQL, stopped under the server).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "inventory/testing/pg_server.h"
#include "server/testing/fixture.h"

// libpq allocates a result for a statement on a connection that broke, and libpqxx 6.4 does not
// free it on that error path: a leak outside phaseout, seen only when the database goes away.
extern "C" const char* __lsan_default_suppressions() { return "leak:PQmakeEmptyPGresult\n"; }

namespace phaseout::server {
namespace {

using nlohmann::json;
using testing::Reply;
using testing::ServerFixture;

std::string ErrorCode(const Reply& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "<no JSON error: " + r.body.substr(0, 100) + ">";
  return j["error"]["code"];
}

class BadInput : public ServerFixture {
 protected:
  void Configure(ServerOptions* options) override {
    web_ = dir_ / "web";
    std::filesystem::create_directories(web_ / "js");
    std::ofstream(web_ / "index.html") << "<!doctype html><title>phaseout</title>";
    std::ofstream(web_ / "js" / "app.js") << "export {};";
    std::ofstream(dir_ / "secret.txt") << "not for the web";
    std::ofstream(web_ / ".hidden") << "no";
    std::filesystem::create_symlink(dir_ / "secret.txt", web_ / "link.txt");
    options->web_root = web_.string();
  }
  std::filesystem::path web_;
};

TEST_F(BadInput, OversizedAndMalformedBodies) {
  std::string big(300 * 1024, 'x');
  Reply r = Call("POST", "/api/v1/session", "", "{\"user\":\"" + big + "\"}");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorCode(r), "too_large");
  for (const std::string body : {"{", "[1,2]", "\"x\"", "{\"user\": 5, \"password\": \"x\"}", "\xff\xfe"}) {
    r = Call("POST", "/api/v1/session", "", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(ErrorCode(r), "bad_request");
  }
  // Unknown fields and wrong types in a transition are refused, and nothing changes.
  std::string hq = std::to_string(hq_device_);
  r = Call("POST", "/api/v1/devices/" + hq + "/transitions", "officer", R"({"to":"confirmed","note":"x","actor":"mallory"})");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Call("POST", "/api/v1/devices/" + hq + "/transitions", "officer", R"({"to":"gone","note":"x"})");
  EXPECT_EQ(r.status, 400) << r.body;
  // The lifecycle refusing is 422.
  r = Call("POST", "/api/v1/devices/" + hq + "/transitions", "officer", R"({"to":"waived","note":"x"})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(ErrorCode(r), "invalid_transition");
  r = Call("GET", "/api/v1/devices/" + hq, "officer");
  EXPECT_EQ(json::parse(r.body)["state"], "found");
  // Bad query values.
  EXPECT_EQ(Call("GET", "/api/v1/devices?limit=501", "programme").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/devices?offset=-1", "programme").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/devices?after=0", "programme").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/devices?after=999999", "programme").status, 400);  // no such device
  EXPECT_EQ(Call("GET", "/api/v1/devices?state=nonsense", "programme").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/devices/abc", "programme").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/devices/999999", "programme").status, 404);
}

TEST_F(BadInput, WrongContentTypes) {
  Reply r = Call("POST", "/api/v1/session", "", R"({"user":"admin","password":"x"})", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(ErrorCode(r), "unsupported_media_type");
  r = Call("POST", "/api/v1/session", "", R"({"user":"admin","password":"x"})", "application/json; charset=latin1");
  EXPECT_EQ(r.status, 415);
  r = Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"c1","site":"hq"})", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 415);
  r = Call("POST", "/api/v1/screening", "procurement", "{}", "application/json");
  EXPECT_EQ(r.status, 415);
  r = Call("PUT", "/api/v1/sites", "admin", "departments: []", "text/html");
  EXPECT_EQ(r.status, 415);
  // A bad sites file is refused whole.
  r = Call("PUT", "/api/v1/sites", "admin", "departments: [", "application/yaml");
  EXPECT_EQ(r.status, 400) << r.body;
  // Unknown method on a known path.
  r = Call("PATCH", "/api/v1/devices", "programme", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(ErrorCode(r), "method_not_allowed");
}

TEST_F(BadInput, TraversalInReportAndStaticDownloads) {
  for (const std::string name : {"..", "../../etc/passwd", "%2e%2e", "status.exe", "status.csv/..", ".%2e"}) {
    Reply r = Call("GET", "/api/v1/reports/" + name + "?policy=us-ndaa-889", "programme");
    EXPECT_EQ(r.status, 404) << name;
    EXPECT_EQ(ErrorCode(r), "not_found") << name;
  }
  Reply ok = Call("GET", "/api/v1/reports/far.md?policy=us-ndaa-889", "programme");
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.Header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/reports/status.csv?policy=nope", "programme").status, 400);

  EXPECT_EQ(Call("GET", "/").status, 200);
  Reply js = Call("GET", "/js/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  for (const std::string path : {"/../secret.txt", "/js/../../secret.txt", "/.hidden", "/link.txt", "/js", "/js/",
                                 "/nothing.html", "/..%2fsecret.txt"}) {
    Reply r = Call("GET", path);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("not for the web"), std::string::npos) << path;
  }
}

TEST_F(BadInput, SecurityHeadersOnEveryAnswer) {
  for (const std::string path : {"/", "/api/v1/devices", "/healthz", "/nothing"}) {
    Reply r = Call("GET", path);
    EXPECT_NE(r.Header("Content-Security-Policy").find("default-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r.Header("X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer") << path;
  }
  EXPECT_EQ(Call("GET", "/api/v1/devices", "programme").Header("Cache-Control"), "no-store");
  EXPECT_EQ(Call("GET", "/api/v1/devices", "programme").Header("Strict-Transport-Security"), "");
}

TEST_F(BadInput, SessionsNeedCsrfForChanges) {
  Reply login = Call("POST", "/api/v1/session", "", R"({"user":"officer","password":"correct horse battery"})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string cookie = login.Header("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  std::string sid = cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
  std::string csrf = json::parse(login.body)["csrf"];
  ASSERT_FALSE(csrf.empty());
  std::vector<std::pair<std::string, std::string>> with_cookie = {{"cookie", "phaseout_session=" + sid}};
  Reply me = Call("GET", "/api/v1/me", "", "", "", with_cookie);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body)["csrf"], csrf);
  std::string target = "/api/v1/devices/" + std::to_string(hq_device_) + "/transitions";
  std::string body = R"({"to":"confirmed","note":"seen"})";
  Reply r = Call("POST", target, "", body, "application/json", with_cookie);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("CSRF"), std::string::npos);
  auto wrong = with_cookie;
  wrong.emplace_back("x-csrf-token", std::string(csrf.size(), '0'));
  EXPECT_EQ(Call("POST", target, "", body, "application/json", wrong).status, 403);
  auto right = with_cookie;
  right.emplace_back("x-csrf-token", csrf);
  r = Call("POST", target, "", body, "application/json", right);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["state"], "confirmed");
  // The actor is the logged-in user.
  Reply page = Call("GET", "/api/v1/devices/" + std::to_string(hq_device_), "programme");
  EXPECT_NE(page.body.find("\"actor\":\"officer\""), std::string::npos);
  // Logout needs the token too, then the session is gone.
  EXPECT_EQ(Call("DELETE", "/api/v1/session", "", "", "", with_cookie).status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/session", "", "", "", right).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/me", "", "", "", with_cookie).status, 401);
  // A made-up session id.
  EXPECT_EQ(Call("GET", "/api/v1/me", "", "", "", {{"cookie", "phaseout_session=" + std::string(64, 'f')}}).status, 401);
}

TEST_F(BadInput, SessionsExpireWhenIdle) {
  Reply login = Call("POST", "/api/v1/session", "", R"({"user":"programme","password":"correct horse battery"})");
  ASSERT_EQ(login.status, 200);
  std::string cookie = login.Header("Set-Cookie");
  std::string sid = cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
  std::vector<std::pair<std::string, std::string>> c = {{"cookie", "phaseout_session=" + sid}};
  EXPECT_EQ(Call("GET", "/api/v1/me", "", "", "", c).status, 200);
  now_ += 8 * 3600 + 1;
  EXPECT_EQ(Call("GET", "/api/v1/me", "", "", "", c).status, 401);
}

TEST_F(BadInput, LoginsAreRateLimitedPerUserAndAddress) {
  std::string wrong = R"({"user":"admin","password":"wrong wrong wrong"})";
  Reply first = Call("POST", "/api/v1/session", "", wrong);
  EXPECT_EQ(first.status, 401);
  // The same message for an unknown user.
  Reply unknown = Call("POST", "/api/v1/session", "", R"({"user":"nobody","password":"wrong wrong wrong"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(json::parse(unknown.body)["error"]["message"], json::parse(first.body)["error"]["message"]);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Call("POST", "/api/v1/session", "", wrong).status, 401);
  Reply locked = Call("POST", "/api/v1/session", "", R"({"user":"admin","password":"correct horse battery"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_FALSE(locked.Header("Retry-After").empty());
  // Another user from another address is not affected; after the window the user may log in.
  remote_addr_ = "127.0.0.2";
  EXPECT_EQ(Call("POST", "/api/v1/session", "", R"({"user":"programme","password":"correct horse battery"})").status, 200);
  now_ += 901;
  EXPECT_EQ(Call("POST", "/api/v1/session", "", R"({"user":"admin","password":"correct horse battery"})").status, 200);
  // Per address: 20 failures over many user names lock the address.
  remote_addr_ = "127.0.0.3";
  for (int i = 0; i < 20; ++i) {
    Call("POST", "/api/v1/session", "", R"({"user":"u)" + std::to_string(i) + R"(","password":"wrong wrong wrong"})");
  }
  EXPECT_EQ(Call("POST", "/api/v1/session", "", R"({"user":"site","password":"correct horse battery"})").status, 429);
}

class RateLimited : public ServerFixture {
 protected:
  void Configure(ServerOptions* options) override {
    options->rate_per_s = 1;
    options->rate_burst = 3;
  }
};

TEST_F(RateLimited, ClientsOverTheirRateGet429) {
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    Reply r = Call("GET", "/healthz");
    if (r.status == 429) {
      ++limited;
      EXPECT_FALSE(r.Header("Retry-After").empty());
      EXPECT_EQ(ErrorCode(r), "rate_limited");
    }
  }
  EXPECT_GE(limited, 2);
  remote_addr_ = "127.0.0.9";  // another client is not affected
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

class ScreeningCap : public ServerFixture {
 protected:
  void Configure(ServerOptions* options) override { options->max_screening_lines = 3; }
};

TEST_F(ScreeningCap, UploadsOverTheLineCapAre413) {
  const std::string ok = "manufacturer,model\nHikvision,DS-2CD2143G2-I\nAxis,P3245\n";
  Reply r = Call("POST", "/api/v1/screening?policy=us-ndaa-889", "procurement", ok, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["summary"]["lines"], 2);
  // Four lines (header included), with or without the final newline.
  for (const std::string& body : {ok + "Dahua,IPC-HDW\n", ok + "Dahua,IPC-HDW"}) {
    r = Call("POST", "/api/v1/screening?policy=us-ndaa-889", "procurement", body, "text/csv");
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_EQ(ErrorCode(r), "too_large");
    EXPECT_NE(r.body.find("at most 3 lines"), std::string::npos) << r.body;
  }
}

// The database goes away under the server: 503 with a JSON error; nothing half-stored.
class DatabaseGone : public ServerFixture {
 protected:
  void SetUp() override {
    auto url = inventory::testing::SharedPgServer().FreshDatabase();
    if (!url) {
      if (inventory::testing::SharedPgServer().skip_reason().empty()) FAIL() << url.error().message;
      GTEST_SKIP() << inventory::testing::SharedPgServer().skip_reason();
    }
    location_ = *url;
    ServerFixture::SetUp();
  }
};

TEST_F(DatabaseGone, AnswersUnavailable) {
  ASSERT_EQ(Call("GET", "/healthz").status, 200);
  ASSERT_EQ(Call("GET", "/api/v1/devices", "programme").status, 200);
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"g1","site":"hq"})").status, 201);
  inventory::testing::SharedPgServer().Stop();
  Reply h = Call("GET", "/healthz");
  EXPECT_EQ(h.status, 503) << h.body;
  EXPECT_EQ(json::parse(h.body)["database"], "unavailable");
  Reply r = Call("GET", "/api/v1/devices", "programme");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(ErrorCode(r), "unavailable");
  r = Call("POST", "/api/v1/scans/g1/records?first_seq=1", "agent",
           testing::DeviceLine("127.16.0.90", "00:11:22:33:44:90") + "\n", "application/x-ndjson");
  EXPECT_EQ(r.status, 503) << r.body;
}

}  // namespace
}  // namespace phaseout::server
