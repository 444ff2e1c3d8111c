// Whole-session tests of the http/https probes against recorded replies (testdata/, see its
// README for the source of each) played by the fake engine, plus hostile-peer cases.
#include "probes/http/probe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "probes/http/followups.h"
#include "probes/testing/fake_engine.h"
#include "probes/testing/golden.h"
#include "probes/testing/test_cert.h"

namespace phaseout::probes::http {
namespace {

using testing::FakeReply;
using testing::RunFakeSession;
using testing::Value;
using testing::Values;

// A fixed planner for the probe's own tests: the four follow-ups in a fixed order, triggered by
// the Hikvision/Dahua habits of GET / that the shipped data (data/followups/http.yaml) asks for
// through its rules. The data-driven planner itself is tested in
// src/engine/followup_planner_test.cc; here it is the session's mechanics that are under test.
class FixedPlanner final : public FollowUpPlanner {
 public:
  std::optional<FollowUpRequest> Next(std::span<const model::Observation> so_far,
                                      std::span<const std::string> sent) const override {
    auto has = [&](std::string_view key, auto pred) {
      for (const auto& o : so_far) {
        if (o.key == key && pred(o.value)) return true;
      }
      return false;
    };
    auto any = [](const std::string&) { return true; };
    auto contains = [](std::string_view needle) {
      return [needle](const std::string& v) { return v.find(needle) != std::string::npos; };
    };
    bool hik = has("http.header.server", [](const std::string& v) {
      for (const char* s : {"Webs", "Web", "webserver", "Hikvision-Webs", "DNVRS-Webs", "DVRDVS-Webs"}) {
        if (v == s) return true;
      }
      return v.rfind("App-webs", 0) == 0;
    }) || has("http.body", contains("/doc/page/")) || has("http.header.location", contains("/doc/page/")) ||
               has("http.auth.realm", [](const std::string& v) { return v.rfind("IP Camera(", 0) == 0 || v == "hikvision"; });
    bool dahua = has("http.no_server_header", any) || has("http.title", [](const std::string& v) { return v == "WEB SERVICE"; }) ||
                 has("http.body", contains("/RPC2_Login")) || has("http.body", contains("@WebVersion@")) ||
                 has("http.auth.realm", [](const std::string& v) { return v.rfind("Login to", 0) == 0; });
    bool html = has("http.title", any) || has("http.header.content-type", contains("html"));
    const FollowUpRequest table[] = {
        {"isapi", FollowUpKind::kIsapiDeviceInfo, "/ISAPI/System/deviceInfo"},
        {"login", FollowUpKind::kHikvisionLogin, "/doc/page/login.asp"},
        {"magicbox", FollowUpKind::kDahuaMagicBox, "/cgi-bin/magicBox.cgi?action=getDeviceType"},
        {"favicon", FollowUpKind::kFavicon, "/favicon.ico"},
    };
    const bool asked[] = {hik, hik, dahua, html};
    for (size_t i = 0; i < 4; ++i) {
      if (asked[i] && std::find(sent.begin(), sent.end(), table[i].id) == sent.end()) return table[i];
    }
    return std::nullopt;
  }
};

// Every session of this test binary plans with FixedPlanner unless a test installs another.
const bool kFixedPlannerInstalled = [] {
  SetFollowUpPlanner(std::make_shared<FixedPlanner>());
  return true;
}();

const std::map<std::string, std::string> kFileForPath = {
    {"/", "root.http"},
    {"/ISAPI/System/deviceInfo", "isapi.http"},
    {"/doc/page/login.asp", "login.http"},
    {"/cgi-bin/magicBox.cgi?action=getDeviceType", "magicbox.http"},
    {"/favicon.ico", "favicon.http"},
};

constexpr char kNotFound[] = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n";

// Replies from http/testdata/<scenario>/<file>; paths without a file get a 404.
std::function<FakeReply(const Step&, int)> ScenarioReplies(const std::string& scenario) {
  return [scenario](const Step& step, int) {
    std::string path = testing::RequestTarget(step.request);
    auto file = kFileForPath.find(path);
    FakeReply reply;
    reply.bytes = kNotFound;
    if (file != kFileForPath.end()) {
      if (auto bytes = testing::ReadTestdata("http/testdata/" + scenario + "/" + file->second)) reply.bytes = *bytes;
    }
    return reply;
  };
}

testing::FakeRun RunScenario(const std::string& scenario, bool tls = false, uint16_t port = 80) {
  HttpProbe probe(tls);
  return RunFakeSession(probe, {"127.0.0.1", port}, ScenarioReplies(scenario));
}

std::vector<std::string> Paths(const testing::FakeRun& run) {
  std::vector<std::string> out;
  for (const Step& s : run.steps) out.push_back(testing::RequestTarget(s.request));
  return out;
}

class HttpGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(HttpGolden, MatchesExpectedObservations) {
  testing::FakeRun run = RunScenario(GetParam());
  EXPECT_TRUE(run.finished);
  testing::ExpectGolden(run.observations, "http/testdata/" + GetParam() + "/expected.txt");
}

INSTANTIATE_TEST_SUITE_P(Recorded, HttpGolden,
                         ::testing::Values("hikvision_dnvrs_nvr", "hikvision_camera_webserver",
                                           "hikvision_dvr_webs_redirect", "dahua_uppercase_headers", "dahua_chunked",
                                           "bare_lf_folded"));

TEST(HttpProbe, HikvisionNvrFollowUpsAndIsapiSchema) {
  testing::FakeRun run = RunScenario("hikvision_dnvrs_nvr");
  EXPECT_EQ(Paths(run), (std::vector<std::string>{"/", "/ISAPI/System/deviceInfo", "/doc/page/login.asp", "/favicon.ico"}));
  EXPECT_FALSE(run.steps[0].new_connection);
  for (size_t i = 1; i < run.steps.size(); ++i) EXPECT_TRUE(run.steps[i].new_connection);
  const auto& o = run.observations;
  EXPECT_EQ(Value(o, "tcp.port.open"), "80");
  EXPECT_EQ(Value(o, "http.header.server"), "DNVRS-Webs");
  EXPECT_EQ(Value(o, "isapi.status"), "401");
  EXPECT_EQ(Value(o, "isapi.auth.scheme"), "Digest");
  EXPECT_EQ(Value(o, "isapi.auth.realm"), "4f3a7c2be1d04e7a9b6f");
  EXPECT_EQ(Value(o, "isapi.schema"), "userCheck");
  EXPECT_NE(Value(o, "isapi.body").find("<statusString>Unauthorized</statusString>"), std::string::npos);
  EXPECT_EQ(Value(o, "http.login_page.status"), "200");
  EXPECT_EQ(Value(o, "http.login_page.title"), "Login");
  EXPECT_NE(Value(o, "http.login_page.body").find("Hikvision Digital Technology"), std::string::npos);
  EXPECT_EQ(Value(o, "http.favicon.md5"), "40b647f57f7222cfb310271a8a77ec24");
  EXPECT_EQ(Value(o, "http.favicon.mmh3"), "-1792718736");
  EXPECT_EQ(Value(o, "http.no_server_header"), "<absent>");
  EXPECT_EQ(Value(o, "magicbox.status"), "<absent>");
  for (const auto& obs : o) {
    if (obs.key == "tcp.port.open") EXPECT_EQ(obs.probe, "tcp");
    else EXPECT_EQ(obs.probe, "http") << obs.key;
    EXPECT_EQ(obs.port, 80);
  }
}

TEST(HttpProbe, DahuaUpperCaseHeadersAndMagicBoxRealm) {
  testing::FakeRun run = RunScenario("dahua_uppercase_headers");
  EXPECT_EQ(Paths(run), (std::vector<std::string>{"/", "/cgi-bin/magicBox.cgi?action=getDeviceType", "/favicon.ico"}));
  const auto& o = run.observations;
  EXPECT_EQ(Value(o, "http.header_names"), "CONNECTION,CONTENT-LENGTH,CACHE-CONTROL,CONTENT-TYPE,P3P,Etag");
  EXPECT_EQ(Value(o, "http.header.content-type"), "text/html");
  EXPECT_EQ(Value(o, "http.no_server_header"), "true");
  EXPECT_EQ(Value(o, "http.body_bom"), "true");
  EXPECT_EQ(Value(o, "http.title"), "WEB SERVICE");
  EXPECT_EQ(Value(o, "magicbox.status"), "401");
  EXPECT_EQ(Value(o, "magicbox.auth.realm"), "Login to 4H01D66PAJ2FA64");
  EXPECT_EQ(Value(o, "http.favicon.status"), "404");
  EXPECT_EQ(Value(o, "http.favicon.md5"), "<absent>");
}

TEST(HttpProbe, ChunkedBodyIsDecoded) {
  const auto o = RunScenario("dahua_chunked").observations;
  EXPECT_EQ(Value(o, "http.title"), "WEB SERVICE");
  std::string body = Value(o, "http.body");
  EXPECT_EQ(body.find("\r\n"), std::string::npos);  // no chunk framing left in the body
  EXPECT_NE(body.find("/RPC2_Login"), std::string::npos);
  EXPECT_EQ(Value(o, "magicbox.auth.realm"), "Login to 11839e10161ff4ebab8e3260b8779f14");
  EXPECT_TRUE(Values(o, "http.limit").empty());
}

TEST(HttpProbe, LenientRepliesAndMultipleChallenges) {
  const auto o = RunScenario("bare_lf_folded").observations;
  EXPECT_EQ(Value(o, "http.version"), "HTTP/1.0");
  EXPECT_EQ(Value(o, "http.status"), "401");
  EXPECT_EQ(Value(o, "http.reason"), "<absent>");
  EXPECT_EQ(Value(o, "http.header.x-note"), "first part second part");
  EXPECT_EQ(Values(o, "http.header.set-cookie"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(Values(o, "http.auth.scheme"), (std::vector<std::string>{"Basic", "Digest", "Basic"}));
  EXPECT_EQ(Values(o, "http.auth.realm"), (std::vector<std::string>{"hikvision", "hikvision", "/"}));
  EXPECT_EQ(Value(o, "isapi.status"), "404");  // the realm "hikvision" triggered the follow-up
}

TEST(HttpProbe, OldDvrRedirectIsRecordedNotFollowed) {
  testing::FakeRun run = RunScenario("hikvision_dvr_webs_redirect");
  for (const Step& s : run.steps) EXPECT_EQ(testing::RequestTarget(s.request).find("index.asp"), std::string::npos);
  EXPECT_EQ(Value(run.observations, "http.reason"), "Redirect");
  EXPECT_EQ(Value(run.observations, "http.header.location"), "http://127.0.0.1/index.asp");
}

TEST(HttpProbe, RequestsCarryNoCredentials) {
  for (const char* scenario : {"hikvision_dnvrs_nvr", "dahua_uppercase_headers"}) {
    for (const Step& s : RunScenario(scenario).steps) {
      EXPECT_EQ(s.request.rfind("GET ", 0), 0u);
      EXPECT_EQ(s.request.find("Authorization"), std::string::npos);
      EXPECT_NE(s.request.find("User-Agent: phaseout/0.1 (inventory scan; +no-credentials)\r\n"), std::string::npos);
    }
  }
}

TEST(HttpProbe, GarbageIsRecordedAndNothingFollows) {
  HttpProbe probe(false);
  auto run = RunFakeSession(probe, {"127.0.0.1", 80}, [](const Step&, int) {
    return FakeReply{std::string("\0\0\0\x10\0\0\0\x1e\0\0\0\x1e\0\0\0\0", 16), false};
  });
  EXPECT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(Value(run.observations, "http.error"), "parse");
  EXPECT_EQ(Value(run.observations, "http.raw_prefix").substr(0, 8), "\\x00\\x00");
  EXPECT_EQ(run.responses[0].timed_out, false);  // framing recognised garbage at once
}

TEST(HttpProbe, EndlessHeadersAreCutAtTheLimits) {
  std::string reply = "HTTP/1.1 200 OK\r\nServer: endless\r\n";
  while (reply.size() < 300000) reply += "X-Pad: 0123456789abcdef\r\n";
  HttpProbe probe(false);
  auto run = RunFakeSession(probe, {"127.0.0.1", 8080}, [&](const Step&, int) { return FakeReply{reply, false}; },
                            {.byte_cap = 1 << 20, .chunk = 1500});
  EXPECT_LT(run.delivered[0].size(), 70000u);  // framing stopped reading near the 64 KiB head cap
  auto limits = Values(run.observations, "http.limit");
  EXPECT_NE(std::find(limits.begin(), limits.end(), "headers>100"), limits.end());
  EXPECT_NE(std::find(limits.begin(), limits.end(), "head>65536"), limits.end());
  EXPECT_EQ(Values(run.observations, "http.header.x-pad").size(), 99u);
  EXPECT_EQ(Value(run.observations, "http.header.server"), "endless");
}

TEST(HttpProbe, HugeBodyIsCutAtTheLimits) {
  std::string reply = "HTTP/1.1 200 OK\r\nServer: big\r\nContent-Length: 10000000\r\n\r\n" + std::string(200000, 'x');
  HttpProbe probe(false);
  auto run = RunFakeSession(probe, {"127.0.0.1", 80}, [&](const Step&, int) { return FakeReply{reply, false}; },
                            {.chunk = 4096});
  EXPECT_LT(run.delivered[0].size(), 65536u + 4096u + 200u);  // one read past the cap at most
  EXPECT_EQ(Value(run.observations, "http.body").size(), 16384u);
  auto limits = Values(run.observations, "http.limit");
  EXPECT_NE(std::find(limits.begin(), limits.end(), "body>65536 truncated"), limits.end());
}

TEST(HttpProbe, EngineByteCapIsRecorded) {
  std::string reply = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n" + std::string(5000, 'y');
  HttpProbe probe(false);
  auto run = RunFakeSession(probe, {"127.0.0.1", 80}, [&](const Step&, int) { return FakeReply{reply, false}; },
                            {.byte_cap = 1000});
  EXPECT_TRUE(run.responses[0].truncated);
  EXPECT_EQ(Values(run.observations, "http.limit"), (std::vector<std::string>{"response>1000 truncated"}));
}

TEST(HttpProbe, SilentClosedAndFailedFollowUps) {
  HttpProbe probe(false);
  auto silent = RunFakeSession(probe, {"127.0.0.1", 80}, [](const Step&, int) { return FakeReply{"", false}; });
  EXPECT_EQ(Value(silent.observations, "http.error"), "timeout");
  auto closed = RunFakeSession(probe, {"127.0.0.1", 80}, [](const Step&, int) { return FakeReply{"", true}; });
  EXPECT_EQ(Value(closed.observations, "http.error"), "closed");
  // GET / says Hikvision; every follow-up connection then fails.
  auto failing = RunFakeSession(probe, {"127.0.0.1", 80}, [](const Step& step, int index) {
    FakeReply r{"HTTP/1.1 200 OK\r\nServer: App-webs/\r\nContent-Length: 0\r\n\r\n"};
    r.connect_fails = index > 0;
    return r;
  });
  EXPECT_EQ(Value(failing.observations, "isapi.error"), "connect_failed");
  EXPECT_EQ(Value(failing.observations, "http.login_page.error"), "connect_failed");
  EXPECT_TRUE(failing.finished);
}

TEST(HttpsProbe, CertificateFieldsOnceAndHttpOverTls) {
  testing::TestCertSpec spec;
  spec.subject = {{"C", "CN"}, {"ST", "ZheJiang"}, {"L", "HangZhou"}, {"O", "HIKVISION"}, {"OU", "DVRNVR"}, {"CN", "www.hikvision.com"}};
  spec.san = "DNS:www.hikvision.com";
  HttpProbe probe(true);
  EXPECT_EQ(probe.Spec().name, "https");
  auto run = RunFakeSession(probe, {"127.0.0.1", 443}, ScenarioReplies("hikvision_dnvrs_nvr"),
                            {.cert_der = testing::MakeTestCertDer(spec)});
  for (const Step& s : run.steps) EXPECT_TRUE(s.tls);
  EXPECT_EQ(run.steps.size(), 4u);
  const auto& o = run.observations;
  EXPECT_EQ(Value(o, "tls.handshake"), "ok");
  EXPECT_EQ(Value(o, "tls.subject"), "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN");
  EXPECT_EQ(Value(o, "tls.self_signed"), "true");
  EXPECT_EQ(Value(o, "tls.san"), "www.hikvision.com");
  EXPECT_EQ(Value(o, "tls.not_after"), "2037-12-31T00:00:00Z");
  EXPECT_EQ(Value(o, "tls.sha256").size(), 64u);
  EXPECT_EQ(Value(o, "isapi.schema"), "userCheck");
  EXPECT_NE(run.steps[0].request.find("Host: 127.0.0.1\r\n"), std::string::npos);
  for (const auto& obs : o) {
    std::string expected_probe = obs.key.rfind("tls.", 0) == 0 ? "tls" : obs.key == "tcp.port.open" ? "tcp" : "https";
    EXPECT_EQ(obs.probe, expected_probe) << obs.key;
  }
}

TEST(HttpsProbe, HandshakeFailureIsRecorded) {
  HttpProbe probe(true);
  auto run = RunFakeSession(probe, {"127.0.0.1", 8443}, [](const Step&, int) {
    FakeReply r;
    r.tls_fails = true;
    return r;
  });
  EXPECT_TRUE(run.finished);
  EXPECT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(Value(run.observations, "tls.handshake"), "failed");
  EXPECT_EQ(Value(run.observations, "tcp.port.open"), "8443");
  EXPECT_EQ(Value(run.observations, "http.error"), "<absent>");
}

TEST(HttpsProbe, CertificateThatDoesNotParse) {
  HttpProbe probe(true);
  auto run = RunFakeSession(probe, {"127.0.0.1", 443}, [](const Step&, int) { return FakeReply{kNotFound}; },
                            {.cert_der = "junk"});
  EXPECT_EQ(Value(run.observations, "tls.handshake"), "ok");
  EXPECT_NE(Value(run.observations, "tls.parse_error"), "<absent>");
}

TEST(HttpProbe, UnexpectedCallOrderIsHarmless) {
  HttpProbe probe(false);
  auto session = probe.Start({"127.0.0.1", 80});
  Response r;
  session->OnResponse(r);  // before any Next(): ignored
  session->OnTlsCertificate("");
  Step s = session->Next();
  EXPECT_EQ(s.kind, Step::Kind::kSend);
  session->OnResponse(r);
  session->OnResponse(r);  // twice: ignored
  EXPECT_EQ(session->Next().kind, Step::Kind::kDone);
  EXPECT_EQ(session->Next().kind, Step::Kind::kDone);
  EXPECT_FALSE(session->TakeObservations().empty());
}

// The planner is asked after every reply and sees what the port has shown so far; an unsafe
// path or a repeated id ends the exchange; without a planner the probe sends GET / only.
class RecordingPlanner final : public FollowUpPlanner {
 public:
  explicit RecordingPlanner(std::vector<FollowUpRequest> script) : script_(std::move(script)) {}
  std::optional<FollowUpRequest> Next(std::span<const model::Observation> so_far,
                                      std::span<const std::string> sent) const override {
    seen_sizes_.push_back(so_far.size());
    if (sent.size() >= script_.size()) return std::nullopt;
    return script_[sent.size()];
  }
  mutable std::vector<size_t> seen_sizes_;  // single-threaded test use only

 private:
  std::vector<FollowUpRequest> script_;
};

struct PlannerScope {
  explicit PlannerScope(std::shared_ptr<const FollowUpPlanner> p) { SetFollowUpPlanner(std::move(p)); }
  ~PlannerScope() { SetFollowUpPlanner(std::make_shared<FixedPlanner>()); }
};

TEST(HttpProbe, PlannerIsAskedAfterEveryReply) {
  auto planner = std::make_shared<RecordingPlanner>(std::vector<FollowUpRequest>{
      {"a", FollowUpKind::kFavicon, "/favicon.ico"}, {"b", FollowUpKind::kDahuaMagicBox, "/cgi-bin/magicBox.cgi?action=getDeviceType"}});
  PlannerScope scope(planner);
  testing::FakeRun run = RunScenario("dahua_uppercase_headers");
  EXPECT_EQ(Paths(run), (std::vector<std::string>{"/", "/favicon.ico", "/cgi-bin/magicBox.cgi?action=getDeviceType"}));
  ASSERT_EQ(planner->seen_sizes_.size(), 3u);  // after GET /, after each follow-up
  EXPECT_LT(planner->seen_sizes_[0], planner->seen_sizes_[1]);  // the favicon reply added observations
}

TEST(HttpProbe, UnsafeOrRepeatedFollowUpsEndTheExchange) {
  {
    PlannerScope scope(std::make_shared<RecordingPlanner>(
        std::vector<FollowUpRequest>{{"x", FollowUpKind::kFavicon, "/a b\r\nX: y"}}));
    EXPECT_EQ(Paths(RunScenario("dahua_uppercase_headers")), (std::vector<std::string>{"/"}));
  }
  {
    PlannerScope scope(std::make_shared<RecordingPlanner>(std::vector<FollowUpRequest>{
        {"x", FollowUpKind::kFavicon, "/favicon.ico"}, {"x", FollowUpKind::kFavicon, "/favicon.ico"}}));
    EXPECT_EQ(Paths(RunScenario("dahua_uppercase_headers")), (std::vector<std::string>{"/", "/favicon.ico"}));
  }
  {
    std::vector<FollowUpRequest> many;
    for (int i = 0; i < 9; ++i) many.push_back({"f" + std::to_string(i), FollowUpKind::kFavicon, "/favicon.ico"});
    PlannerScope scope(std::make_shared<RecordingPlanner>(many));
    EXPECT_EQ(RunScenario("dahua_uppercase_headers").steps.size(), 1u + kMaxFollowUps);
  }
  {
    PlannerScope scope(nullptr);
    EXPECT_EQ(Paths(RunScenario("hikvision_dnvrs_nvr")), (std::vector<std::string>{"/"}));
  }
}

TEST(FollowUpKind, NamesRoundTrip) {
  for (FollowUpKind k : {FollowUpKind::kIsapiDeviceInfo, FollowUpKind::kHikvisionLogin, FollowUpKind::kDahuaMagicBox,
                         FollowUpKind::kFavicon}) {
    EXPECT_EQ(FollowUpKindFromName(FollowUpKindName(k)), k);
  }
  EXPECT_FALSE(FollowUpKindFromName("sdk_login").has_value());
}

}  // namespace
}  // namespace phaseout::probes::http
