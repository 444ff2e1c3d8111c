// End-to-end tests of the evidence principles (docs/rule-format.md "How evidence is combined",
// docs/policies.md "Devices"): observations -> shipped rules -> identification -> verdicts,
// through the Classifier a scan uses. Observation values are the public shapes the rules cite.
#include "engine/classifier.h"

#include <gtest/gtest.h>

#include "engine/knowledge.h"

namespace phaseout::engine {
namespace {

using model::VerdictStatus;

const Knowledge& K() {
  static const Knowledge* k = [] {
    auto loaded = LoadKnowledge();
    EXPECT_TRUE(loaded.has_value()) << loaded.error().message;
    return loaded ? new Knowledge(std::move(*loaded)) : nullptr;
  }();
  return *k;
}

model::DeviceReport Classify(std::vector<model::Observation> obs) {
  auto selected = K().policies->Select({"us-ndaa-889"});
  EXPECT_TRUE(selected.has_value());
  Classifier classifier(K().rules, *K().policies, *selected);
  model::HostScan host;
  host.ip = "127.0.0.10";
  host.observations = std::move(obs);
  return classifier.Classify(std::move(host));
}

const model::Verdict& Ndaa(const model::DeviceReport& r) {
  static const model::Verdict kNone;
  return r.verdicts.empty() ? kNone : r.verdicts[0];
}

bool Has(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

TEST(EvidenceEndToEnd, KnowledgeRecordsCombinerAndRuleSetVersion) {
  EXPECT_EQ(K().combiner, "evidence-noisy-or-v2");
  ASSERT_EQ(K().ruleset_version.size(), 7u + 16u);
  EXPECT_EQ(K().ruleset_version.rfind("sha256:", 0), 0u);
}

TEST(EvidenceEndToEnd, NothingObservedIsUnknownNotClear) {
  auto r = Classify({{"http", 80, "http.header.server", "nginx/1.22.1"}, {"http", 80, "http.title", "Welcome to nginx!"}});
  EXPECT_EQ(r.identification.manufacturer, "");
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kUnknown) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "nothing identified")) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, CorroborationAloneIsUnknownWithCandidates) {
  // A live555-style RTSP server without a Server header: Hikvision habits, shared by others.
  auto r = Classify({{"rtsp", 554, "rtsp.no_server_header", "true"},
                     {"rtsp", 554, "rtsp.date_layout", "hikvision-dow-mon-day-year"},
                     {"rtsp", 554, "rtsp.date_double_space", "true"},
                     {"rtsp", 554, "rtsp.header.public",
                      "OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER"},
                     {"banner", 8000, "tcp.banner.hex", "000000100000001e0000001e00000000"}});
  EXPECT_EQ(r.identification.manufacturer, "");
  ASSERT_FALSE(r.identification.candidates.empty());
  EXPECT_EQ(r.identification.candidates[0].manufacturer, "hikvision");
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kUnknown) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "resembles Hikvision")) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, OneMediumIdentifyingRuleIsReview) {
  auto r = Classify({{"http", 80, "http.body", "<script>var url = '/RPC2_Login';</script>"}});
  EXPECT_EQ(r.identification.manufacturer, "dahua");
  EXPECT_FALSE(r.identification.decisive);
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kReview) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "not decisive (one medium identifying rule (dahua.http.body.rpc2_login))"))
      << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, DecisiveIdentificationIsProhibited) {
  auto strong = Classify({{"http", 80, "http.header.server", "DNVRS-Webs"}});
  EXPECT_EQ(Ndaa(strong).status, VerdictStatus::kProhibited) << Ndaa(strong).reason;
  // Two medium identifying rules from different probes are independent.
  auto two = Classify({{"http", 80, "http.body", "jquery.js?version=@WebVersion@"},
                       {"rtsp", 554, "rtsp.auth.realm", "Login to 4H01D66PAJ2FA64"}});
  EXPECT_TRUE(two.identification.decisive) << two.identification.basis;
  EXPECT_EQ(Ndaa(two).status, VerdictStatus::kProhibited) << Ndaa(two).reason;
}

TEST(EvidenceEndToEnd, ConflictingIdentifyingEvidenceIsReview) {
  auto r = Classify({{"http", 80, "http.header.server", "DNVRS-Webs"},
                     {"rtsp", 554, "rtsp.header.server", "AvigilonOnvifNvt/2.6.0.130"}});
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kReview) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "Conflicting evidence")) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "Avigilon")) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "Hikvision")) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, DocumentedOemLabelIsNotAConflict) {
  // An Amcrest-labelled Dahua build: the label and the maker's stack are explained by the data.
  auto r = Classify({{"http", 80, "http.body", "Copyright &copy; Amcrest Technologies. jquery.js?version=@WebVersion@"},
                     {"http", 80, "magicbox.auth.realm", "Login to AMC000N49SSV0M2U46"}});
  EXPECT_EQ(r.identification.manufacturer, "dahua");
  EXPECT_EQ(r.identification.brand, "amcrest");
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kProhibited) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, MacVendorAloneDecidesNothing) {
  auto r = Classify({{"arp", 0, "mac.oui.org", "Huawei Device Co., Ltd."}});
  EXPECT_EQ(r.identification.manufacturer, "");
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kUnknown) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, UnverifiedRuleDecidesNothing) {
  auto r = Classify({{"tls", 443, "tls.subject", "OU=DAHUATECH,O=DAHUA,L=HANGZHOU,ST=ZHEJIANG,C=CN,CN=192.0.2.108"}});
  EXPECT_EQ(r.identification.manufacturer, "");
  EXPECT_EQ(r.identification.evidence.size(), 1u);
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kUnknown) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, TitleAndBodyHoldingItCountOnce) {
  auto r = Classify({{"http", 80, "http.title", "WEB SERVICE"},
                     {"http", 80, "http.body", "<html><head><title>WEB SERVICE</title></head></html>"}});
  EXPECT_EQ(r.identification.manufacturer, "");
  ASSERT_FALSE(r.identification.candidates.empty());
  EXPECT_EQ(r.identification.candidates[0].rules.size(), 1u) << "one fact, not two";
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kUnknown) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, NonCoveredMakerBeatsCoveredHabitsAndIsClear) {
  auto r = Classify({{"rtsp", 554, "rtsp.no_server_header", "true"},
                     {"rtsp", 554, "rtsp.date_layout", "hikvision-dow-mon-day-year"},
                     {"tls", 443, "tls.subject", "CN=axis-accc8ea31abf,O=Axis Communications AB"}});
  EXPECT_EQ(r.identification.manufacturer, "axis");
  EXPECT_EQ(r.identification.serial, "accc8ea31abf");
  EXPECT_EQ(Ndaa(r).status, VerdictStatus::kClear) << Ndaa(r).reason;
  EXPECT_TRUE(Has(Ndaa(r).reason, "made by Axis")) << Ndaa(r).reason;
}

TEST(EvidenceEndToEnd, TelecomGearIsIdentified) {
  auto ont = Classify({{"http", 80, "http.body", "Form.addParameter('x.X_HW_Token', cnt);"},
                       {"http", 7547, "http.auth.realm", "HuaweiHomeGateway"}});
  EXPECT_EQ(ont.identification.manufacturer, "huawei");
  EXPECT_EQ(Ndaa(ont).status, VerdictStatus::kProhibited) << Ndaa(ont).reason;
  auto zte = Classify({{"http", 80, "http.auth.realm", "ZXHN H108L"}});
  EXPECT_EQ(zte.identification.manufacturer, "zte");
  EXPECT_EQ(zte.identification.model, "ZXHN H108L");
}

}  // namespace
}  // namespace phaseout::engine
