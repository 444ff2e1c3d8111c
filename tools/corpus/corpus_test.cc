// Unit tests of the corpus harness pieces: the split rule, literal extraction, distinctive
// values and replay through the real probe sessions.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <span>

#include "probes/http/followups.h"
#include "tools/corpus/corpus.h"
#include "tools/corpus/replay.h"
#include "tools/corpus/split_check.h"

namespace phaseout::corpus {
namespace {

TEST(CorpusSplit, Fnv1aKnownValues) {
  EXPECT_EQ(Fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(Fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(Fnv1a32("foobar"), 0xbf9cf968u);
}

TEST(CorpusSplit, ForcedDevWins) {
  std::string id = "a";  // 0xe40c292c is even: test
  EXPECT_EQ(SplitFor(id, {}), "test");
  EXPECT_EQ(SplitFor(id, {"a"}), "dev");
}

TEST(CorpusSplitCheck, LiteralRuns) {
  EXPECT_EQ(LiteralRuns("^Hikvision-Webs$"), std::vector<std::string>{"Hikvision-Webs"});
  EXPECT_EQ(LiteralRuns("^App-webs/"), std::vector<std::string>{"App-webs/"});
  std::vector<std::string> realm_runs = {"Digest realm=\"IP Camera(", ")\""};
  EXPECT_EQ(LiteralRuns(R"re(^Digest realm="IP Camera\(\w{5}\)")re"), realm_runs);
  EXPECT_EQ(LiteralRuns("abc?d"), (std::vector<std::string>{"ab", "d"}));
  EXPECT_EQ(LiteralRuns("(?i)foo[0-9]+bar|baz\\x41"), (std::vector<std::string>{"foo", "bar", "bazA"}));
}

TEST(CorpusSplitCheck, GenericGrammarIsNotDistinctive) {
  EXPECT_FALSE(IsDistinctive("Basic realm=\""));
  EXPECT_FALSE(IsDistinctive("OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER"));
  EXPECT_FALSE(IsDistinctive("HTTP/1.1 401 Unauthorized"));
  EXPECT_FALSE(IsDistinctive("hikvision"));
  EXPECT_FALSE(IsDistinctive("Sony Network Camera"));
  EXPECT_TRUE(IsDistinctive("TP-LINK IP-Camera"));
  EXPECT_TRUE(IsDistinctive("GoAhead-Webs"));
  EXPECT_TRUE(IsDistinctive("HuaweiHomeGateway"));
  EXPECT_EQ(Distinctive("Basic realm=\"TP-LINK IP-Camera\""), "tp link ip");
}

TEST(CorpusSplitCheck, FindsAQuotedTestValueAndIgnoresDev) {
  Device test_device;
  test_device.id = "x";
  test_device.split = "test";
  Reply r;
  r.file = "rtsp.txt";
  r.bytes = "RTSP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Example Cam 9000\"\r\n\r\n";
  test_device.replies.push_back(r);
  Device dev_device = test_device;
  dev_device.split = "dev";
  std::vector<Quote> quotes = {{"Example Cam 9000", "rule a example"}, {"Basic realm=\"", "rule b pattern"}};
  std::vector<Leak> leaks = FindLeaks({test_device, dev_device}, quotes);
  ASSERT_FALSE(leaks.empty());
  for (const Leak& l : leaks) {
    EXPECT_EQ(l.device, "x");
    EXPECT_EQ(l.quote.where, "rule a example");
  }
}

KeyVocabulary Vocab() {
  KeyVocabulary v;
  v.prefixes = {"http.header.", "rtsp.header."};
  v.exact = {"http.title", "rtsp.auth.realm", "http.auth.realm", "http.auth.scheme", "tcp.port.open"};
  return v;
}

bool Has(const ReplayResult& r, const std::string& key, const std::string& value) {
  return std::any_of(r.host.observations.begin(), r.host.observations.end(),
                     [&](const model::Observation& o) { return o.key == key && o.value == value; });
}

TEST(CorpusReplay, RtspRepliesGoThroughTheRealProbe) {
  Device d;
  d.id = "cam";
  Reply options{"o.txt", "rtsp", 554, "OPTIONS", true, "",
                "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"};
  Reply describe{"d.txt", "rtsp", 554, "DESCRIBE", true, "",
                 "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"Cam\", nonce=\"1\"\r\n\r\n"};
  d.replies = {options, describe};
  ReplayResult r = ReplayDevice(d, Vocab());
  EXPECT_EQ(r.replayed.size(), 2u);
  EXPECT_TRUE(r.not_replayable.empty());
  EXPECT_TRUE(Has(r, "rtsp.auth.realm", "Cam"));
  EXPECT_TRUE(Has(r, "rtsp.no_server_header", "true"));
  EXPECT_EQ(r.host.open_ports, std::vector<uint16_t>{554});
}

// Asks one follow-up after GET / (the data-driven planner asks only when a rule needs it; the
// replay must work whatever the planner asks).
class OneFollowUp final : public probes::http::FollowUpPlanner {
 public:
  std::optional<probes::http::FollowUpRequest> Next(std::span<const model::Observation>,
                                                    std::span<const std::string> sent) const override {
    if (!sent.empty()) return std::nullopt;
    return probes::http::FollowUpRequest{"test.isapi", probes::http::FollowUpKind::kIsapiDeviceInfo,
                                         "/ISAPI/System/deviceInfo"};
  }
};

TEST(CorpusReplay, HttpFollowUpsWithoutARecordedReplyGetNothing) {
  auto previous = probes::http::CurrentFollowUpPlanner();
  probes::http::SetFollowUpPlanner(std::make_shared<OneFollowUp>());
  struct Restore {
    std::shared_ptr<const probes::http::FollowUpPlanner> p;
    ~Restore() { probes::http::SetFollowUpPlanner(p); }
  } restore{previous};
  Device d;
  d.id = "web";
  Reply root{"root.txt", "http", 80, "GET /", true, "",
             "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"};
  d.replies = {root};
  ReplayResult r = ReplayDevice(d, Vocab());
  EXPECT_TRUE(Has(r, "http.no_server_header", "true"));
  EXPECT_GT(r.unrecorded_requests, 0);
}

TEST(CorpusReplay, FieldRepliesAndUnknownKeys) {
  Device d;
  d.id = "f";
  Reply auth{"a.txt", "http", 80, "GET /", false, "http.header.www-authenticate", "Basic realm=\"NETGEAR R7000P\""};
  Reply ssh{"s.txt", "ssh", 22, "connect", false, "ssh.software", "HUAWEI-1.5"};
  d.replies = {auth, ssh};
  ReplayResult r = ReplayDevice(d, Vocab());
  EXPECT_TRUE(Has(r, "http.auth.realm", "NETGEAR R7000P"));
  EXPECT_TRUE(Has(r, "http.auth.scheme", "Basic"));
  EXPECT_TRUE(Has(r, "tcp.port.open", "80"));
  ASSERT_EQ(r.not_replayable.size(), 1u);
  EXPECT_NE(r.not_replayable[0].find("ssh.software"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::corpus
