// Tests for the probe table: port mapping, spec hygiene, and that each probe's declared
// fields match what its sessions emit.
#include "probes/registry.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/strings.h"
#include "probes/testing/fake_engine.h"
#include "probes/testing/golden.h"
#include "probes/testing/test_cert.h"

namespace phaseout::probes {
namespace {

TEST(Registry, PortTable) {
  for (uint16_t port : {80, 81, 88, 7080, 8080, 8081}) EXPECT_EQ(ProbeForPort(port)->Spec().name, "http") << port;
  for (uint16_t port : {443, 7443, 8443}) EXPECT_EQ(ProbeForPort(port)->Spec().name, "https") << port;
  for (uint16_t port : {554, 8554}) EXPECT_EQ(ProbeForPort(port)->Spec().name, "rtsp") << port;
  EXPECT_EQ(ProbeForPort(21)->Spec().name, "ftp");
  EXPECT_EQ(ProbeForPort(22)->Spec().name, "ssh");
  EXPECT_EQ(ProbeForPort(23)->Spec().name, "telnet");
  for (uint16_t port : {7547, 37215}) EXPECT_EQ(ProbeForPort(port)->Spec().name, "cwmp") << port;
  for (uint16_t port : {8000, 37777, 37778, 9010, 9020, 1, 65535}) {
    EXPECT_EQ(ProbeForPort(port)->Spec().name, "banner") << port;
  }
}

TEST(Registry, AllProbesHaveDistinctNamesAndDescribeTheirProtocol) {
  std::set<std::string> names;
  ASSERT_EQ(AllProbes().size(), 8u);
  for (const Probe* probe : AllProbes()) {
    const ProbeSpec& spec = probe->Spec();
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    // The lesson of zmap's copied help text: the description must name its own protocol.
    std::string protocol = spec.name == "banner" ? "TCP banner" : AsciiLower(spec.name);
    EXPECT_NE(AsciiLower(spec.description).find(AsciiLower(protocol)), std::string::npos) << spec.description;
    EXPECT_FALSE(spec.fields.empty());
    for (const FieldSpec& f : spec.fields) EXPECT_FALSE(f.description.empty()) << f.key;
    for (uint16_t port : spec.default_ports) EXPECT_EQ(ProbeForPort(port), probe) << spec.name << " " << port;
  }
}

// True iff `key` is declared: exactly, or via a "<prefix>.<name>" wildcard entry.
bool Declared(const ProbeSpec& spec, const std::string& key) {
  for (const FieldSpec& f : spec.fields) {
    if (f.key == key) return true;
    size_t wildcard = f.key.find("<name>");
    if (wildcard != std::string::npos && key.rfind(f.key.substr(0, wildcard), 0) == 0) return true;
  }
  return false;
}

// Runs a session that makes the probe emit as many different keys as possible.
std::set<std::string> EmittedKeys(const Probe& probe, uint16_t port) {
  testing::TestCertSpec cert;
  cert.subject = {{"CN", "x"}};
  cert.san = "DNS:x";
  std::set<std::string> keys;
  auto collect = [&](const std::function<testing::FakeReply(const Step&, int)>& replies) {
    auto run = testing::RunFakeSession(probe, {"127.0.0.1", port}, replies,
                                       {.byte_cap = 100000, .cert_der = testing::MakeTestCertDer(cert)});
    for (const auto& o : run.observations) keys.insert(o.key);
  };
  const std::string rich =
      "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"IP Camera(C2183)\"\r\nContent-Type: text/html\r\n"
      "Date:  Thu, May 14 2020 16:45:35 GMT\r\nCSeq: 1\r\nContent-Length: 70000\r\n\r\n\xEF\xBB\xBF<title>t</title>" +
      std::string(70000, 'x');
  const std::string rtsp_rich =
      "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nDate:  Thu, May 14 2020 16:45:35 GMT\r\n"
      "WWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 3\r\n\r\nv=0";
  collect([&](const Step& s, int) {
    return testing::FakeReply{testing::RequestMethod(s.request) == "GET" ? rich : rtsp_rich, false};
  });
  collect([](const Step&, int) { return testing::FakeReply{"\x01garbage", true}; });
  collect([](const Step&, int) { return testing::FakeReply{"", false}; });
  collect([](const Step&, int) { return testing::FakeReply{"", true}; });
  collect([](const Step& s, int i) {
    testing::FakeReply r{"HTTP/1.1 200 OK\r\n\r\n<userCheck/>"};
    r.tls_fails = i == 0 && s.tls;
    r.connect_fails = i > 0;
    return r;
  });
  // GET / hints Hikvision (and is HTML), or Dahua (no Server); every follow-up connection fails.
  for (const char* root : {"HTTP/1.1 200 OK\r\nServer: Webs\r\nContent-Type: text/html\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
    collect([root](const Step&, int i) {
      testing::FakeReply r{root};
      r.connect_fails = i > 0;
      return r;
    });
  }
  std::string many_headers = "RTSP/1.0 200 OK\r\n";
  for (int i = 0; i < 150; ++i) many_headers += "X-" + std::to_string(i) + ": v\r\n";
  collect([&](const Step&, int) { return testing::FakeReply{many_headers + "\r\n", false}; });
  return keys;
}

// Adds the keys of every recorded device in <proto>/testdata to `keys` (http and https only).
void AddRecordedKeys(const Probe& probe, uint16_t port, std::set<std::string>* keys) {
  static const std::map<std::string, std::string> kFileForPath = {
      {"/", "root.http"},
      {"/ISAPI/System/deviceInfo", "isapi.http"},
      {"/doc/page/login.asp", "login.http"},
      {"/cgi-bin/magicBox.cgi?action=getDeviceType", "magicbox.http"},
      {"/favicon.ico", "favicon.http"}};
  for (const char* device : {"hikvision_dnvrs_nvr", "hikvision_camera_webserver", "hikvision_dvr_webs_redirect",
                             "dahua_uppercase_headers", "dahua_chunked", "bare_lf_folded"}) {
    auto run = testing::RunFakeSession(probe, {"127.0.0.1", port}, [&](const Step& step, int) {
      testing::FakeReply reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"};
      auto file = kFileForPath.find(testing::RequestTarget(step.request));
      if (file != kFileForPath.end()) {
        if (auto bytes = testing::ReadTestdata(std::string("http/testdata/") + device + "/" + file->second)) {
          reply.bytes = *bytes;
        }
      }
      return reply;
    });
    for (const auto& o : run.observations) keys->insert(o.key);
  }
}

TEST(Registry, EveryDeclaredFieldIsEmittedSomewhere) {
  // The sessions of EmittedKeys plus the recorded devices must produce every declared key, so
  // a field list can not advertise a key nothing emits (the wildcard entries stand for any name).
  const std::map<std::string, uint16_t> ports = {{"http", 80}, {"https", 443}, {"rtsp", 554}, {"banner", 8000}};
  for (const Probe* probe : AllProbes()) {
    const ProbeSpec& spec = probe->Spec();
    if (ports.count(spec.name) == 0) continue;  // greeting probes: greeting/probes_test.cc
    std::set<std::string> keys = EmittedKeys(*probe, ports.at(spec.name));
    if (spec.name == "http" || spec.name == "https") AddRecordedKeys(*probe, ports.at(spec.name), &keys);
    if (spec.name == "https") {
      // Certificate edge cases: none sent, and bytes that are not a certificate.
      for (const std::string& der : {std::string(), std::string("junk")}) {
        auto run = testing::RunFakeSession(*probe, {"127.0.0.1", 443},
                                           [](const Step&, int) { return testing::FakeReply{"x"}; }, {.cert_der = der});
        for (const auto& o : run.observations) keys.insert(o.key);
      }
    }
    if (spec.name == "banner") {
      auto run = testing::RunFakeSession(*probe, {"127.0.0.1", 8000},
                                         [](const Step&, int) { return testing::FakeReply{std::string(300, 'x')}; },
                                         {.byte_cap = 10});
      for (const auto& o : run.observations) keys.insert(o.key);
    }
    for (const FieldSpec& f : spec.fields) {
      if (f.key.find('<') != std::string::npos) continue;
      EXPECT_EQ(keys.count(f.key), 1u) << spec.name << " declares " << f.key << " but no test session emitted it";
    }
  }
}

TEST(Registry, DeclaredFieldsMatchEmittedKeys) {
  const std::map<std::string, uint16_t> ports = {{"http", 80}, {"https", 443}, {"rtsp", 554}, {"banner", 8000}};
  for (const Probe* probe : AllProbes()) {
    if (ports.count(probe->Spec().name) == 0) continue;  // greeting probes: greeting/probes_test.cc
    std::set<std::string> keys = EmittedKeys(*probe, ports.at(probe->Spec().name));
    EXPECT_GT(keys.size(), 3u) << probe->Spec().name;
    for (const std::string& key : keys) {
      EXPECT_TRUE(Declared(probe->Spec(), key)) << probe->Spec().name << " emits undeclared key " << key;
    }
  }
}

}  // namespace
}  // namespace phaseout::probes
