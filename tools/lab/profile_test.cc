// Tests for lab profiles: the shipped profiles load and carry sources; bad profiles are
// rejected with file:line messages; templates and serials render as documented.
#include "tools/lab/profile.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace phaseout::lab {
namespace {

// Replaces the first `from` in `text` with `to`; fails the test when `from` is missing.
std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  const size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

const std::string kProfilesDir = PHASEOUT_SOURCE_DATA_DIR "/lab/profiles";

// A small valid profile; tests mutate one piece at a time.
std::string MinimalProfile(const std::string& truth_extra = "", const std::string& port_extra = "") {
  return R"(id: test-camera
description: test
sources:
  - id: s1
    ref: somewhere
    fact: something
truth:
  manufacturer: hikvision
  brand: hikvision
  device_type: camera
  model: DS-TEST
  firmware: V1
  serial: "DS-TEST{n:4}"
  ouis: [C42F90]
  expect_identified: true
  sources: [s1]
)" + truth_extra + R"(ports:
  - port: 80
    kind: http
    routes:
      - path: /
        reply:
          status: 200
          reason: OK
          headers: ["Server: x", "Content-Length: {content_length}"]
          body: "hello {serial}"
          sources: [s1]
    default:
      status: 404
      reason: Not Found
      synthetic: true
      note: shape only
)" + port_extra;
}

TEST(LabProfile, ShippedProfilesLoadAndValidate) {
  Result<std::vector<Profile>> profiles = LoadProfiles(kProfilesDir);
  ASSERT_TRUE(profiles) << profiles.error().message;
  EXPECT_GE(profiles->size(), 15u);
  std::set<std::string> makers;
  int restricted = 0, confusable = 0;
  for (const Profile& p : *profiles) {
    SCOPED_TRACE(p.id);
    EXPECT_FALSE(p.sources.empty());
    EXPECT_FALSE(p.truth.model.empty());
    EXPECT_FALSE(p.truth.firmware.empty());
    EXPECT_FALSE(p.truth.ouis.empty());
    // A device answers on TCP, or only on UDP discovery (discovery-only profiles).
    EXPECT_FALSE(p.OpenPorts().empty() && p.UdpPorts().empty());
    // Every reply either cites a declared source or says it is synthetic.
    for (const PortSpec& port : p.ports) {
      for (const Route& r : port.routes) {
        EXPECT_TRUE(!r.reply.provenance.sources.empty() || r.reply.provenance.synthetic) << r.target;
      }
    }
    makers.insert(p.truth.manufacturer);
    if (p.truth.manufacturer == "hikvision" || p.truth.manufacturer == "dahua") {
      ++restricted;
    } else {
      ++confusable;
    }
  }
  EXPECT_TRUE(makers.count("hikvision"));
  EXPECT_TRUE(makers.count("dahua"));
  EXPECT_TRUE(makers.count(""));  // unidentifiable confusables (generic OEM, plain web server)
  EXPECT_GE(restricted, 10);
  EXPECT_GE(confusable, 5);
}

TEST(LabProfile, MinimalProfileParses) {
  Result<Profile> p = ParseProfile(MinimalProfile(), "t.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->id, "test-camera");
  ASSERT_EQ(p->ports.size(), 1u);
  EXPECT_EQ(p->ports[0].routes[0].reply.headers[0].first, "Server");
  EXPECT_EQ(p->OpenPorts(), std::vector<uint16_t>{80});
}

TEST(LabProfile, RejectsUnknownVendorId) {
  const std::string text = ReplaceFirst(MinimalProfile(), "manufacturer: hikvision", "manufacturer: hikvisoin");
  Result<Profile> p = ParseProfile(text, "t.yaml");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("unknown vendor id 'hikvisoin'"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find("t.yaml:"), std::string::npos);
}

TEST(LabProfile, RejectsReplyWithoutSource) {
  const std::string text = ReplaceFirst(MinimalProfile(), "      synthetic: true\n      note: shape only\n", "");
  Result<Profile> p = ParseProfile(text, "t.yaml");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("cites no source"), std::string::npos) << p.error().message;
}

TEST(LabProfile, RejectsUnknownSourceIdKeyAndTemplate) {
  Result<Profile> a = ParseProfile(ReplaceFirst(MinimalProfile(), "sources: [s1]", "sources: [s9]"), "t.yaml");
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("unknown source id 's9'"), std::string::npos) << a.error().message;
  Result<Profile> b = ParseProfile(MinimalProfile("  colour: red\n"), "t.yaml");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("unknown key 'colour'"), std::string::npos) << b.error().message;
  Result<Profile> pc = ParseProfile(ReplaceFirst(MinimalProfile(), "{serial}", "{serail}"), "t.yaml");
  ASSERT_FALSE(pc);
  EXPECT_NE(pc.error().message.find("{serail}"), std::string::npos) << pc.error().message;
}

TEST(LabProfile, UdpRepeatAndMdnsParse) {
  const std::string udp = R"(  - port: 5353
    kind: udp
    protocol: mdns
    repeat: REPEAT
    reply: |
      A;cam.local;{ip}
    sources: [s1]
)";
  Result<Profile> ok = ParseProfile(MinimalProfile("", ReplaceFirst(udp, "REPEAT", "500")), "t.yaml");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->ports.size(), 2u);
  EXPECT_EQ(ok->ports[1].udp_protocol, "mdns");
  EXPECT_EQ(ok->ports[1].udp_repeat, 500u);
  EXPECT_EQ(ok->UdpPorts(), std::vector<uint16_t>{5353});
  for (const char* bad : {"0", "100001", "many"}) {
    Result<Profile> p = ParseProfile(MinimalProfile("", ReplaceFirst(udp, "REPEAT", bad)), "t.yaml");
    ASSERT_FALSE(p) << bad;
    EXPECT_NE(p.error().message.find("'repeat' must be 1..100000"), std::string::npos) << p.error().message;
  }
  // `repeat` belongs to UDP responders only.
  Result<Profile> tcp = ParseProfile(ReplaceFirst(MinimalProfile(), "    kind: http\n", "    kind: http\n    repeat: 2\n"), "t.yaml");
  ASSERT_FALSE(tcp);
  EXPECT_NE(tcp.error().message.find("are for kind udp only"), std::string::npos) << tcp.error().message;
}

TEST(LabProfile, RejectsMissingTruthAndBadYaml) {
  std::string text = MinimalProfile();
  const size_t start = text.find("truth:");
  text.erase(start, text.find("ports:") - start);
  Result<Profile> p = ParseProfile(text, "t.yaml");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("truth"), std::string::npos);
  Result<Profile> bad = ParseProfile("id: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad.yaml:"), std::string::npos);
}

TEST(LabProfile, BannerHexAndTlsParse) {
  Result<Profile> p = ParseProfile(MinimalProfile("", R"(  - port: 8000
    kind: banner
    hex: "00000010 0000001e"
    sources: [s1]
  - port: 8443
    kind: banner
    tls:
      subject: /CN=EZVIZ Device
      issuer: /CN=CAServer
      not_before: "2020-01-01"
      not_after: "2030-01-01"
      sources: [s1]
    sources: [s1]
)"),
                                   "t.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->ports[1].banner, std::string("\x00\x00\x00\x10\x00\x00\x00\x1e", 8));
  ASSERT_TRUE(p->ports[2].tls.has_value());
  EXPECT_FALSE(p->ports[2].tls->self_signed());
  EXPECT_EQ(p->OpenPorts(), (std::vector<uint16_t>{80, 8000, 8443}));
}

TEST(LabProfile, RenderSerialAndTemplates) {
  EXPECT_EQ(RenderSerial("DS-2CD2386G2-IU20230101AAWR{n:9}", 42).value(), "DS-2CD2386G2-IU20230101AAWR000000042");
  EXPECT_EQ(RenderSerial("AB{n:2}", 123).value(), "AB23");
  EXPECT_FALSE(RenderSerial("no-counter", 1));
  EXPECT_FALSE(RenderSerial("X{n:0}", 1));

  TemplateVars v;
  v.serial = "SER";
  v.cseq = "7";
  EXPECT_EQ(RenderTemplate("Login to {serial}; {{literal}; {case\"X\"}", v), "Login to SER; {literal}; {case\"X\"}");
  EXPECT_EQ(RenderTemplate("{nonce}", v).size(), 32u);
  EXPECT_TRUE(CheckTemplate("{serial} {date_hik} {cseq}", false).ok());
  EXPECT_FALSE(CheckTemplate("{content_length}", false).ok());
  EXPECT_TRUE(CheckTemplate("{content_length}", true).ok());

  Reply r;
  r.version = "RTSP/1.0";
  r.status = 200;
  r.reason = "OK";
  r.headers = {{"CSeq", "{cseq}"}, {"Content-Length", "{content_length}"}};
  r.body = "abc";
  r.bom = true;
  EXPECT_EQ(RenderReply(r, v), "RTSP/1.0 200 OK\r\nCSeq: 7\r\nContent-Length: 6\r\n\r\n\xEF\xBB\xBF" "abc");
}

}  // namespace
}  // namespace phaseout::lab
