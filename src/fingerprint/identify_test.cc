// Tests of evidence combination (Identify) on the shipped rules and on realistic host scans
// built from documented vendor behaviour (rapid7/recog, nmap-service-probes and the sources each
// rule cites).
#include "fingerprint/identify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace phaseout::fingerprint {
namespace {

using model::HostScan;
using model::Identification;
using model::Observation;

const RuleDb& Db() {
  static std::shared_ptr<const RuleDb> db = [] {
    auto loaded = LoadRuleDbFromDataDir(PHASEOUT_SOURCE_DATA_DIR);
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message;
      return std::shared_ptr<const RuleDb>();
    }
    return *loaded;
  }();
  return *db;
}

HostScan Host(std::vector<Observation> obs) {
  HostScan h;
  h.ip = "127.0.0.10";
  h.observations = std::move(obs);
  return h;
}

bool HasRule(const Identification& id, const std::string& rule) {
  return std::any_of(id.evidence.begin(), id.evidence.end(), [&](const auto& e) { return e.rule == rule; });
}

bool HasConflict(const Identification& id, const std::string& prefix) {
  return std::any_of(id.conflicts.begin(), id.conflicts.end(),
                     [&](const auto& c) { return c.rfind(prefix, 0) == 0; });
}

// --- Combination logic ---

TEST(Combine, ModelPrefixAloneNeverDecidesManufacturer) {
  for (const char* model : {"IPC-B460HAD-LUF", "IPC-HFW1230S", "DS-2CD2386G2-IU", "CS-H6c-R101-1G2WF"}) {
    auto id = Identify(Db(), Host({{"http", 80, "http.title", model}}));
    EXPECT_EQ(id.manufacturer, "") << model;
    EXPECT_EQ(id.brand, "") << model;
    EXPECT_EQ(id.device_type, "") << model;
    EXPECT_EQ(id.model, model) << "the model string is still a fact";
    EXPECT_EQ(id.confidence, 0.0);
    EXPECT_EQ(id.evidence.size(), 1u);
  }
}

// Padding, tabs and doubled spaces a device adds do not hide a vendor string written in the
// tidy form; the raw and the tidy match of one rule count once.
TEST(Combine, WhitespaceVariantsMatchTheTidyForm) {
  auto padded = Identify(Db(), Host({{"http", 80, "http.header.server", "  Vivotek\tNetwork   Camera \r\n"}}));
  EXPECT_EQ(padded.manufacturer, "vivotek");
  auto count = [](const Identification& id, const std::string& rule) {
    return std::count_if(id.evidence.begin(), id.evidence.end(), [&](const auto& e) { return e.rule == rule; });
  };
  EXPECT_EQ(count(padded, "vivotek.http.server.vivotek_network_camera"), 1);  // matched on the tidy form
  // A value that matches raw and tidy gives one piece of evidence per rule.
  auto both = Identify(Db(), Host({{"http", 80, "http.header.server", "Vivotek  Network Camera"}}));
  EXPECT_EQ(count(both, "vivotek.name.word"), 1);
  // Line breaks inside a value are kept: tidying never joins two banner lines into one.
  EXPECT_FALSE(HasRule(Identify(Db(), Host({{"http", 80, "http.header.server", "Vivotek\nNetwork Camera"}})),
                       "vivotek.http.server.vivotek_network_camera"));
}

TEST(Combine, HintsOnlyCorroborate) {
  // No Server header, upper-case header names and 37777 open: all hints, no decision.
  auto hints = Identify(Db(), Host({{"http", 80, "http.no_server_header", "true"},
                                    {"http", 80, "http.header_names", "CONNECTION,CONTENT-LENGTH,CONTENT-TYPE"},
                                    {"tcp", 37777, "tcp.port.open", "37777"}}));
  EXPECT_EQ(hints.manufacturer, "");
  EXPECT_EQ(hints.evidence.size(), 3u);
  // One medium Dahua marker plus the same hints: decided, and the hints raise the score.
  auto alone = Identify(Db(), Host({{"http", 80, "http.body", "jquery.js?version=@WebVersion@"}}));
  EXPECT_EQ(alone.manufacturer, "dahua");
  EXPECT_NEAR(alone.confidence, 0.6, 1e-9);
  auto with_hints = Identify(Db(), Host({{"http", 80, "http.body", "jquery.js?version=@WebVersion@"},
                                         {"http", 80, "http.no_server_header", "true"},
                                         {"tcp", 37777, "tcp.port.open", "37777"}}));
  EXPECT_EQ(with_hints.manufacturer, "dahua");
  EXPECT_NEAR(with_hints.confidence, 1 - 0.4 * 0.85 * 0.85, 1e-9);
}

TEST(Combine, SameRuleOnSeveralObservationsCountsOnce) {
  auto once = Identify(Db(), Host({{"http", 80, "http.auth.realm", "Login to 4H01D66PAJ2FA64"}}));
  auto twice = Identify(Db(), Host({{"http", 80, "http.auth.realm", "Login to 4H01D66PAJ2FA64"},
                                    {"http", 80, "magicbox.auth.realm", "Login to 4H01D66PAJ2FA64"}}));
  EXPECT_EQ(twice.evidence.size(), 2u);
  EXPECT_DOUBLE_EQ(once.confidence, twice.confidence);
  EXPECT_DOUBLE_EQ(once.confidence, 0.9);
}

TEST(Combine, OemLtsBuildKeepsMakerAndLabel) {
  auto id = Identify(Db(), Host({{"http", 80, "http.header.server", "DNVRS-Webs"},
                                 {"http", 80, "isapi.schema", "userCheck"},
                                 {"http", 80, "http.login_page.body", "<p>Copyright LT Security Inc.</p>"}}));
  EXPECT_EQ(id.manufacturer, "hikvision");
  EXPECT_EQ(id.brand, "lts");
  EXPECT_EQ(id.device_type, "nvr");
  EXPECT_TRUE(HasRule(id, "lts.http.body.lt_security"));
  // The label alone names no manufacturer.
  auto label_only = Identify(Db(), Host({{"http", 80, "http.body", "Copyright LT Security Inc."}}));
  EXPECT_EQ(label_only.manufacturer, "");
  EXPECT_EQ(label_only.brand, "lts");
}

TEST(Combine, ConflictingClaimsRecordedAndConfidenceReduced) {
  std::vector<Observation> hik = {{"http", 80, "http.header.server", "Hikvision-Webs"},
                                  {"http", 80, "http.auth.realm", "IP Camera(C2183)"}};
  auto clean = Identify(Db(), Host(hik));
  hik.push_back({"http", 80, "http.body", "<input id=\"t_username\">"});
  auto mixed = Identify(Db(), Host(hik));
  EXPECT_EQ(mixed.manufacturer, "hikvision");
  ASSERT_EQ(mixed.conflicts.size(), 1u);
  EXPECT_EQ(mixed.conflicts[0], "manufacturer=dahua score=0.30 rules=dahua.http.body.t_username [corroborating]");
  EXPECT_NEAR(clean.confidence, 0.99, 1e-9);
  EXPECT_NEAR(mixed.confidence, 0.99 * (1 - 0.3 / 2), 1e-9);
  // Attributes of the loser are not taken: a Dahua serial does not land on a Hikvision device.
  hik.push_back({"rtsp", 554, "rtsp.auth.realm", "Login to 4K049EBPAG1D7E7"});
  auto worse = Identify(Db(), Host(hik));
  EXPECT_EQ(worse.manufacturer, "hikvision");
  EXPECT_EQ(worse.serial, "");
  EXPECT_TRUE(HasConflict(worse, "manufacturer=dahua score=0.72"));
}

TEST(Combine, ConfusablesAreNotAttributed) {
  auto id = Identify(Db(), Host({{"http", 80, "http.body", "Copyright Shenzhen Hankvision Technology Co., Ltd."},
                                 {"http", 80, "http.title", "Hikari Web Console"},
                                 {"http", 80, "http.header.server", "GoAhead-Webs"},
                                 {"tls", 443, "tls.subject", "CN=www.hankvision.com,O=HANKVISION"},
                                 {"host", 0, "mac.oui.org", "Hisilicon Technologies Co.,Ltd"},
                                 {"http", 80, "http.title", "IPC"},
                                 {"onvif", 0, "onvif.hardware", "IPC-1080P"}}));
  EXPECT_EQ(id.manufacturer, "");
  EXPECT_EQ(id.brand, "") << "a hint rule's brand needs a decided manufacturer";
  EXPECT_EQ(id.confidence, 0.0);
  // Only the HiSilicon OUI hint matched.
  ASSERT_EQ(id.evidence.size(), 1u);
  EXPECT_EQ(id.evidence[0].rule, "hisilicon.mac.oui.hisilicon");
}

TEST(Combine, LongValuesBecomeExcerptsAroundTheMatch) {
  std::string body(8000, 'a');
  body += "Hikvision Digital Technology";
  body += std::string(8000, 'b');
  auto id = Identify(Db(), Host({{"http", 80, "http.login_page.body", body}}));
  ASSERT_EQ(id.evidence.size(), 1u);
  const auto& ev = id.evidence[0];
  EXPECT_LE(ev.value.size(), 262u);
  EXPECT_NE(ev.value.find("Hikvision Digital Technology"), std::string::npos);
  EXPECT_EQ(ev.value.rfind("...", 0), 0u);
  EXPECT_EQ(ev.value.substr(ev.value.size() - 3), "...");
  EXPECT_EQ(ev.probe, "http");
  EXPECT_EQ(ev.port, 80);
  EXPECT_EQ(ev.field, "http.login_page.body");
  EXPECT_EQ(ev.rule, "hikvision.http.body.copyright");
  EXPECT_EQ(ev.claim, "manufacturer=hikvision brand=hikvision [strong]");
}

// --- End to end: realistic scans (values from the sources the rules cite) ---

TEST(EndToEnd, HikvisionCamera) {
  auto id = Identify(Db(), Host({
      {"http", 80, "http.status", "200"},
      {"http", 80, "http.header.server", "App-webs/"},
      {"http", 80, "http.body", "<script>window.location.href = \"/doc/page/login.asp?_\" + 1;</script>"},
      {"http", 80, "http.login_page.body", "<div>Hikvision Digital Technology Co., Ltd. All Rights Reserved.</div>"},
      {"http", 80, "isapi.status", "401"},
      {"http", 80, "isapi.auth.realm", "IP Camera(C2183)"},
      {"rtsp", 554, "rtsp.no_server_header", "true"},
      {"rtsp", 554, "rtsp.date_layout", "hikvision-dow-mon-day-year"},
      {"rtsp", 554, "rtsp.date_double_space", "true"},
      {"rtsp", 554, "rtsp.auth.realm", "IP Camera(C2875)"},
      {"banner", 8000, "tcp.banner.hex", "000000100000001e0000001e00000000"},
      {"host", 0, "mac.oui.org", "Hangzhou Hikvision Digital Technology Co.,Ltd."},
  }));
  EXPECT_EQ(id.manufacturer, "hikvision");
  EXPECT_EQ(id.brand, "hikvision");
  EXPECT_EQ(id.device_type, "camera");
  EXPECT_GT(id.confidence, 0.999);
  EXPECT_TRUE(id.conflicts.empty());
  EXPECT_EQ(id.evidence.size(), 10u);  // every observation except the two status codes
}

TEST(EndToEnd, HikvisionNvr) {
  auto id = Identify(Db(), Host({
      {"http", 80, "http.header.server", "DNVRS-Webs"},
      {"http", 80, "isapi.auth.realm", "c504892f438ee5f2114e9fdd"},
      {"http", 80, "isapi.schema", "userCheck"},
      {"http", 80, "isapi.body",
       "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<userCheck>\n<statusValue>401</statusValue>\n"
       "<statusString>Unauthorized</statusString>\n</userCheck>"},
      {"tls", 443, "tls.subject", "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"},
      {"tls", 443, "tls.issuer", "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"},
  }));
  EXPECT_EQ(id.manufacturer, "hikvision");
  EXPECT_EQ(id.brand, "") << "no vendor-branded evidence: an OEM build would look the same";
  EXPECT_EQ(id.device_type, "nvr");
  EXPECT_GT(id.confidence, 0.99);
}

TEST(EndToEnd, Ezviz) {
  auto id = Identify(Db(), Host({
      {"banner", 8000, "tcp.banner.hex", "000000100000000d0000000d00000000"},
      {"tls", 8443, "tls.subject", "CN=EZVIZ Device"},
      {"tls", 8443, "tls.issuer", "CN=CAServer"},
      {"host", 0, "mac.oui.org", "Hangzhou Ezviz Software Co.,Ltd."},
  }));
  EXPECT_EQ(id.manufacturer, "hikvision");
  EXPECT_EQ(id.brand, "ezviz");
  EXPECT_NEAR(id.confidence, 1 - 0.4 * 0.1 * 0.4, 1e-9);  // SDK banner, TLS name, OUI
}

TEST(EndToEnd, DahuaCamera) {
  auto id = Identify(Db(), Host({
      {"http", 80, "http.no_server_header", "true"},
      {"http", 80, "http.header_names", "CONNECTION,CONTENT-LENGTH,CACHE-CONTROL,CONTENT-TYPE"},
      {"http", 80, "http.title", "WEB SERVICE"},
      {"http", 80, "http.body", "<script src=\"jsBase/lib/jquery.js?version=@WebVersion@\"></script><input id=\"t_username\">"},
      {"http", 80, "magicbox.status", "401"},
      {"http", 80, "magicbox.auth.realm", "Login to 4H01D66PAJ2FA64"},
      {"rtsp", 554, "rtsp.header.server", "Rtsp Server/3.0"},
      {"rtsp", 554, "rtsp.auth.realm", "Login to 4H01D66PAJ2FA64"},
      {"tcp", 37777, "tcp.port.open", "37777"},
      {"host", 0, "mac.oui.org", "Zhejiang Dahua Technology Co.,Ltd."},
  }));
  EXPECT_EQ(id.manufacturer, "dahua");
  EXPECT_EQ(id.serial, "4H01D66PAJ2FA64");
  EXPECT_EQ(id.brand, "");
  EXPECT_GT(id.confidence, 0.999);
  EXPECT_TRUE(id.conflicts.empty());
}

TEST(EndToEnd, AmcrestIsDahuaWithAmcrestBrand) {
  auto id = Identify(Db(), Host({
      {"http", 80, "http.no_server_header", "true"},
      {"http", 80, "http.body", "<span>Amcrest Technologies</span> LDAPUser jquery.js?version=@WebVersion@"},
      {"http", 80, "magicbox.auth.realm", "Login to AMC000N49SSV0M2U46"},
      {"host", 0, "mac.oui.org", "Zhejiang Dahua Technology Co.,Ltd."},
  }));
  EXPECT_EQ(id.manufacturer, "dahua");
  EXPECT_EQ(id.brand, "amcrest");
  EXPECT_EQ(id.serial, "AMC000N49SSV0M2U46");
}

TEST(EndToEnd, LorexIsDahuaWithLorexBrand) {
  auto id = Identify(Db(), Host({
      {"rtsp", 554, "rtsp.auth.realm", "Login to ND021808019141"},
      {"http", 80, "http.auth.realm", "Login to ND021808019141"},
      {"host", 0, "mac.oui.org", "Lorex Technology Inc."},
  }));
  EXPECT_EQ(id.manufacturer, "dahua");
  EXPECT_EQ(id.brand, "lorex");
  EXPECT_EQ(id.serial, "ND021808019141");
}

TEST(EndToEnd, AxisIsNotRestricted) {
  // The AXIS_<mac> realm rules are unverified: alone they only make Axis a candidate.
  auto realms = Identify(Db(), Host({
      {"http", 80, "http.auth.realm", "AXIS_ACCC8E3A0A8F"},
      {"rtsp", 554, "rtsp.auth.realm", "AXIS_WS_ACCC8E3A0A8F"},
  }));
  EXPECT_EQ(realms.manufacturer, "");
  ASSERT_FALSE(realms.candidates.empty());
  EXPECT_EQ(realms.candidates[0].manufacturer, "axis");
  auto id = Identify(Db(), Host({
      {"http", 80, "http.auth.realm", "AXIS_ACCC8E3A0A8F"},
      {"rtsp", 554, "rtsp.auth.realm", "AXIS_WS_ACCC8E3A0A8F"},
      {"tls", 443, "tls.subject", "CN=axis-accc8ea31abf,O=Axis Communications AB"},
      {"host", 0, "mac.oui.org", "Axis Communications AB"},
  }));
  EXPECT_TRUE(id.decisive);
  EXPECT_EQ(id.manufacturer, "axis");
  EXPECT_EQ(id.device_type, "camera");
  EXPECT_EQ(id.serial, "ACCC8E3A0A8F");
}

TEST(EndToEnd, PlainNginxIsNobody) {
  auto id = Identify(Db(), Host({
      {"http", 80, "http.status", "200"},
      {"http", 80, "http.header.server", "nginx/1.22.1"},
      {"http", 80, "http.title", "Welcome to nginx!"},
      {"http", 80, "http.body", "<h1>Welcome to nginx!</h1>"},
      {"tls", 443, "tls.subject", "CN=localhost"},
  }));
  EXPECT_EQ(id.manufacturer, "");
  EXPECT_EQ(id.brand, "");
  EXPECT_EQ(id.confidence, 0.0);
  EXPECT_TRUE(id.evidence.empty());
  EXPECT_TRUE(id.conflicts.empty());
}

TEST(EndToEnd, HuaweiAndZteCpe) {
  auto huawei = Identify(Db(), Host({{"http", 80, "http.header.server", "Linux UPnP/1.0 Huawei-ATP-IGD"},
                                     {"http", 80, "http.auth.realm", "HuaweiHomeGateway"}}));
  EXPECT_EQ(huawei.manufacturer, "huawei");
  EXPECT_EQ(huawei.device_type, "router");
  auto zte = Identify(Db(), Host({{"http", 80, "http.header.server", "Mini web server 1.0 ZTE corp 2005."},
                                  {"http", 80, "http.auth.realm", "ZXHN H108L"}}));
  EXPECT_EQ(zte.manufacturer, "zte");
  EXPECT_EQ(zte.model, "ZXHN H108L");
}

// One shared database, many threads: results equal the single-threaded ones (run under ASan).
TEST(Concurrency, SharedDbIdentifiesFromManyThreads) {
  HostScan host = Host({{"http", 80, "http.header.server", "DNVRS-Webs"},
                        {"http", 80, "magicbox.auth.realm", "Login to 4H01D66PAJ2FA64"},
                        {"host", 0, "mac.oui.org", "Hangzhou Hikvision Digital Technology Co.,Ltd."}});
  const Identification expected = Identify(Db(), host);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        auto id = Identify(Db(), host);
        if (id.manufacturer != expected.manufacturer || id.confidence != expected.confidence ||
            id.conflicts != expected.conflicts || id.evidence.size() != expected.evidence.size()) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  EXPECT_EQ(expected.manufacturer, "hikvision");
  EXPECT_TRUE(HasConflict(expected, "manufacturer=dahua score=0.90"));
}

}  // namespace
}  // namespace phaseout::fingerprint

namespace phaseout::fingerprint {
namespace {

// --- Evidence principles (docs/rule-format.md "Evidence kind"), on small in-memory databases
// so each principle is tested in isolation from the shipped rules. ---

std::shared_ptr<const RuleDb> TestDb(const std::string& rules) {
  auto db = RuleDb::LoadTexts({{"t.yaml", "description: d\nsource: s\nkeys: [t.a, t.b, t.c]\nrules:\n" + rules}});
  EXPECT_TRUE(db.has_value()) << db.error().message;
  return db ? *db : nullptr;
}

std::string R(const std::string& id, const std::string& pattern, const std::string& strength,
              const std::string& evidence, const std::string& extract, bool verified = true,
              const std::string& correlation = "") {
  std::string r = "  - id: " + id + "\n    description: d\n    pattern: '" + pattern + "'\n    strength: " + strength +
                  "\n    evidence: " + evidence + "\n    extract: {" + extract + "}\n    source: s\n    verified: " +
                  (verified ? "true" : "false") + "\n    examples: [{value: x}]\n";
  if (!correlation.empty()) r += "    correlation: " + correlation + "\n";
  return r;
}

TEST(Evidence, CorroborationAloneNamesNoManufacturerButListsCandidates) {
  auto db = TestDb(R("h.layout", "^L$", "medium", "corroborating", "manufacturer: hikvision") +
                   R("h.order", "^O$", "medium", "corroborating", "manufacturer: hikvision"));
  auto id = Identify(*db, Host({{"rtsp", 554, "t.a", "L"}, {"rtsp", 554, "t.b", "O"}}));
  EXPECT_EQ(id.manufacturer, "");
  EXPECT_FALSE(id.decisive);
  EXPECT_EQ(id.confidence, 0.0);
  ASSERT_EQ(id.candidates.size(), 1u);
  EXPECT_EQ(id.candidates[0].manufacturer, "hikvision");
  EXPECT_FALSE(id.candidates[0].identifying);
  EXPECT_NEAR(id.candidates[0].score, 1 - 0.4 * 0.4, 1e-9);
  EXPECT_EQ(id.basis, "corroborating evidence only (habits shared with other makers)");
}

TEST(Evidence, OneMediumIdentifyingRuleIsNotDecisive) {
  auto db = TestDb(R("d.marker", "^M$", "medium", "identifying", "manufacturer: dahua") +
                   R("d.other", "^N$", "medium", "identifying", "manufacturer: dahua") +
                   R("d.strong", "^S$", "strong", "identifying", "manufacturer: dahua"));
  auto one = Identify(*db, Host({{"http", 80, "t.a", "M"}}));
  EXPECT_EQ(one.manufacturer, "dahua");
  EXPECT_FALSE(one.decisive);
  EXPECT_EQ(one.basis, "one medium identifying rule (d.marker)");
  // Two identifying rules on the same probe and field are not independent.
  auto same = Identify(*db, Host({{"http", 80, "t.a", "M"}, {"http", 80, "t.a", "N"}}));
  EXPECT_FALSE(same.decisive);
  // From different fields (or probes) they are.
  auto two = Identify(*db, Host({{"http", 80, "t.a", "M"}, {"http", 80, "t.b", "N"}}));
  EXPECT_TRUE(two.decisive);
  auto strong = Identify(*db, Host({{"http", 80, "t.a", "S"}}));
  EXPECT_TRUE(strong.decisive);
  EXPECT_EQ(strong.basis, "strong identifying rule (d.strong)");
}

TEST(Evidence, RulesMatchingTheSameObservationCountOnce) {
  // A maker's name rule and its exact-string rule read one Server header: one fact.
  auto db = TestDb(R("d.exact", "^Dahua Rtsp Server$", "medium", "identifying", "manufacturer: dahua") +
                   R("d.name", "Dahua", "medium", "identifying", "manufacturer: dahua", true, "d.name") +
                   R("d.any", "Rtsp", "weak", "corroborating", "manufacturer: dahua"));
  auto same = Identify(*db, Host({{"rtsp", 554, "t.a", "Dahua Rtsp Server"}}));
  EXPECT_EQ(same.manufacturer, "dahua");
  EXPECT_NEAR(same.confidence, 0.6, 1e-9) << "three rules on one value count as one medium fact";
  EXPECT_FALSE(same.decisive);
  // The name seen again in another field is a second fact, joined to the first through the
  // name's correlation group only where they share an observation.
  auto two = Identify(*db, Host({{"rtsp", 554, "t.a", "Dahua Rtsp Server"}, {"http", 80, "t.b", "Dahua"}}));
  EXPECT_NEAR(two.confidence, 0.6, 1e-9) << "the name group joined the exact rule's fact";
  auto apart = Identify(*db, Host({{"rtsp", 554, "t.a", "Rtsp"}, {"http", 80, "t.b", "Dahua"}}));
  EXPECT_NEAR(apart.confidence, 1 - 0.4 * 0.7, 1e-9) << "different values are different facts";
}

TEST(Evidence, IdentifyingEvidenceForTwoMakersIsAConflict) {
  auto db = TestDb(R("h.server", "^H$", "strong", "identifying", "manufacturer: hikvision") +
                   R("a.realm", "^A$", "medium", "identifying", "manufacturer: axis"));
  auto id = Identify(*db, Host({{"http", 80, "t.a", "H"}, {"rtsp", 554, "t.b", "A"}}));
  EXPECT_EQ(id.manufacturer, "hikvision");
  ASSERT_EQ(id.candidates.size(), 1u);
  EXPECT_EQ(id.candidates[0].manufacturer, "axis");
  EXPECT_TRUE(id.candidates[0].identifying);
  EXPECT_NEAR(id.confidence, 0.9 * (1 - 0.6 / 2), 1e-9);
}

TEST(Evidence, DocumentedOemRelationExplainsTwoMakers) {
  auto db = TestDb(R("h.server", "^H$", "strong", "identifying", "manufacturer: hikvision") +
                   R("l.label", "^L$", "medium", "identifying", "manufacturer: lts"));
  IdentifyOptions options;
  options.oem_of = [](std::string_view label, std::string_view maker) { return label == "lts" && maker == "hikvision"; };
  auto id = Identify(*db, Host({{"http", 80, "t.a", "H"}, {"http", 80, "t.b", "L"}}), options);
  EXPECT_EQ(id.manufacturer, "hikvision");
  EXPECT_EQ(id.brand, "lts");
  EXPECT_TRUE(id.candidates.empty());
  auto unexplained = Identify(*db, Host({{"http", 80, "t.a", "H"}, {"http", 80, "t.b", "L"}}));
  ASSERT_EQ(unexplained.candidates.size(), 1u);
  EXPECT_TRUE(unexplained.candidates[0].identifying);
}

TEST(Evidence, IdentifyingEvidenceForAnotherMakerBeatsCorroborationForACoveredOne) {
  // live555-style Date layout and no Server header (Hikvision habits) plus a realm naming Axis.
  auto db = TestDb(R("h.layout", "^L$", "medium", "corroborating", "manufacturer: hikvision") +
                   R("h.noserver", "^true$", "hint", "corroborating", "manufacturer: hikvision") +
                   R("a.realm", "^AXIS$", "strong", "identifying", "manufacturer: axis"));
  auto id = Identify(*db, Host({{"rtsp", 554, "t.a", "L"}, {"rtsp", 554, "t.b", "true"}, {"rtsp", 554, "t.c", "AXIS"}}));
  EXPECT_EQ(id.manufacturer, "axis");
  EXPECT_TRUE(id.decisive);
  ASSERT_EQ(id.candidates.size(), 1u);
  EXPECT_EQ(id.candidates[0].manufacturer, "hikvision");
  EXPECT_FALSE(id.candidates[0].identifying);
  EXPECT_LT(id.confidence, 0.9) << "evidence for another maker lowers confidence";
}

TEST(Evidence, MacOrganisationAloneNeverDecides) {
  auto db = RuleDb::LoadTexts(
      {{"m.yaml", "description: d\nsource: s\nkey: mac.oui.org\nrules:\n" +
                      R("hw.mac", "^Huawei Device", "medium", "identifying", "manufacturer: huawei")},
       {"t.yaml", "description: d\nsource: s\nkey: t.a\nrules:\n" +
                      R("x.type", "^router$", "weak", "corroborating", "device_type: router")}});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto alone = Identify(**db, Host({{"arp", 0, "mac.oui.org", "Huawei Device Co., Ltd."}}));
  EXPECT_EQ(alone.manufacturer, "");
  ASSERT_EQ(alone.candidates.size(), 1u);
  EXPECT_FALSE(alone.candidates[0].identifying);
  // With a device class from other evidence it identifies, but is never decisive.
  auto typed = Identify(**db, Host({{"arp", 0, "mac.oui.org", "Huawei Device Co., Ltd."}, {"http", 80, "t.a", "router"}}));
  EXPECT_EQ(typed.manufacturer, "huawei");
  EXPECT_EQ(typed.device_type, "router");
  EXPECT_FALSE(typed.decisive);
}

TEST(Evidence, UnverifiedRulesDecideNothing) {
  auto db = TestDb(R("d.tls", "^D$", "strong", "identifying", "manufacturer: dahua", /*verified=*/false));
  auto id = Identify(*db, Host({{"tls", 443, "t.a", "D"}}));
  EXPECT_EQ(id.manufacturer, "");
  ASSERT_EQ(id.candidates.size(), 1u);
  EXPECT_FALSE(id.candidates[0].identifying);
  EXPECT_EQ(id.evidence.size(), 1u) << "still reported as evidence";
}

TEST(Evidence, CorrelatedRulesCountOnce) {
  auto db = TestDb(R("d.title", "^WEB SERVICE$", "medium", "identifying", "manufacturer: dahua", true, "d.ws") +
                   R("d.body", "<title>WEB SERVICE</title>", "medium", "identifying", "manufacturer: dahua", true, "d.ws"));
  auto id = Identify(*db, Host({{"http", 80, "t.a", "WEB SERVICE"}, {"http", 80, "t.b", "<title>WEB SERVICE</title>"}}));
  EXPECT_EQ(id.manufacturer, "dahua");
  EXPECT_NEAR(id.confidence, 0.6, 1e-9) << "one fact, not two";
  EXPECT_FALSE(id.decisive) << "a title and the body holding it are one fact, not two independent ones";
  EXPECT_EQ(id.evidence.size(), 2u);
}

TEST(Evidence, NonCoveredMakerIsIdentified) {
  auto id = Identify(Db(), Host({{"rtsp", 554, "rtsp.header.server", "AvigilonOnvifNvt/2.6.0.130"},
                                 {"rtsp", 554, "rtsp.no_server_header", "false"},
                                 {"rtsp", 554, "rtsp.date_layout", "hikvision-dow-mon-day-year"}}));
  EXPECT_EQ(id.manufacturer, "avigilon");
  EXPECT_TRUE(id.decisive);
  ASSERT_FALSE(id.candidates.empty());
  EXPECT_EQ(id.candidates[0].manufacturer, "hikvision");
  EXPECT_FALSE(id.candidates[0].identifying);
}

}  // namespace
}  // namespace phaseout::fingerprint
