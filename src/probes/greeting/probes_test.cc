// Tests of the ssh, telnet, ftp and cwmp probes and their greeting parsers. Banners are the
// public examples of rapid7/recog xml/ssh_banners.xml, xml/telnet_banners.xml and
// xml/ftp_banners.xml (decoded from their base64 where recog stores them so).
#include <gtest/gtest.h>

#include <set>

#include "probes/greeting/greeting.h"
#include "probes/greeting/probes.h"
#include "probes/registry.h"
#include "probes/testing/fake_engine.h"

namespace phaseout::probes::greeting {
namespace {

std::string Value(const std::vector<model::Observation>& obs, const std::string& key) {
  for (const auto& o : obs) {
    if (o.key == key) return o.value;
  }
  return "<absent>";
}

const std::string kIac = "\xff";

TEST(SshGreeting, Parse) {
  SshGreeting g = ParseSshGreeting("SSH-2.0-HUAWEI-1.5\r\n");
  EXPECT_TRUE(g.found);
  EXPECT_EQ(g.line, "SSH-2.0-HUAWEI-1.5");
  EXPECT_EQ(g.proto_version, "2.0");
  EXPECT_EQ(g.software, "HUAWEI-1.5");
  g = ParseSshGreeting("hello\r\nSSH-1.99-OpenSSH_7.4 Debian-10\r\n");
  EXPECT_EQ(g.software, "OpenSSH_7.4");
  EXPECT_EQ(g.comment, "Debian-10");
  ASSERT_EQ(g.preamble.size(), 1u);
  EXPECT_FALSE(ParseSshGreeting("HTTP/1.1 400 Bad Request\r\n").found);
  EXPECT_EQ(FrameSsh("SSH-2.0-ROSSSH"), Framing::kNeedMore);
  EXPECT_EQ(FrameSsh("SSH-2.0-ROSSSH\r\n"), Framing::kComplete);
  EXPECT_EQ(FrameSsh(std::string(kMaxGreetingBytes, 'x')), Framing::kComplete);
}

TEST(TelnetGreeting, RefusesEveryOption) {
  // IAC DO 24 (terminal type), IAC WILL 1 (echo), IAC WILL 3 (suppress go ahead), IAC WONT 5.
  std::string bytes = kIac + "\xfd\x18" + kIac + "\xfb\x01" + kIac + "\xfb\x03" + kIac + "\xfc\x05" + "F668\r\n\rLogin: ";
  TelnetGreeting g = ParseTelnet(bytes);
  EXPECT_EQ(g.text, "F668\r\n\rLogin: ");
  ASSERT_EQ(g.options.size(), 4u);
  EXPECT_EQ(g.options[0], "DO 24");
  EXPECT_EQ(g.options[1], "WILL 1");
  EXPECT_EQ(g.refusal, kIac + "\xfc\x18" + kIac + "\xfe\x01" + kIac + "\xfe\x03");
  EXPECT_EQ(BannerLines(g.text), "F668\nLogin:");
  // Subnegotiation is skipped; IAC IAC is a data byte.
  TelnetGreeting sb = ParseTelnet(kIac + "\xfa\x18\x01" + kIac + "\xf0" + "a" + kIac + kIac + "b");
  EXPECT_EQ(sb.text, "a\xff" "b");
  EXPECT_TRUE(sb.refusal.empty());
  // Truncated commands never read past the end.
  EXPECT_TRUE(ParseTelnet(kIac).text.empty());
  EXPECT_TRUE(ParseTelnet(kIac + "\xfd").options.empty());
  EXPECT_TRUE(ParseTelnet(kIac + "\xfa\x18").text.empty());
}

TEST(TelnetGreeting, Framing) {
  EXPECT_EQ(FrameTelnet("Username:"), Framing::kComplete);
  EXPECT_EQ(FrameTelnet("Login: "), Framing::kComplete);
  EXPECT_EQ(FrameTelnet("Welcome\r\n"), Framing::kNeedMore);
  EXPECT_EQ(FrameTelnet(kIac + "\xfd:"), Framing::kNeedMore);  // DO 58 is not a prompt
}

TEST(FtpGreeting, ParseAndFrame) {
  FtpGreeting g = ParseFtpGreeting("220 example.com FTP server (MikroTik 6.18) ready\r\n");
  EXPECT_TRUE(g.found);
  EXPECT_EQ(g.code, "220");
  EXPECT_EQ(g.text, "example.com FTP server (MikroTik 6.18) ready");
  g = ParseFtpGreeting("220-Welcome\r\n220-to the box\r\n220 ready\r\n");
  EXPECT_EQ(g.text, "Welcome | to the box | ready");
  EXPECT_EQ(FrameFtp("220-Welcome\r\n"), Framing::kNeedMore);
  EXPECT_EQ(FrameFtp("220-Welcome\r\n220 ready\r\n"), Framing::kComplete);
  EXPECT_EQ(FrameFtp("220 ready\r\n"), Framing::kComplete);
  EXPECT_EQ(FrameFtp("SSH-2.0-x\r\n"), Framing::kComplete);
  EXPECT_FALSE(ParseFtpGreeting("SSH-2.0-x").found);
}

TEST(GreetingProbes, SshSessionSendsNothing) {
  SshProbe probe;
  auto run = testing::RunFakeSession(probe, {"127.0.0.1", 22},
                                     [](const Step&, int) { return testing::FakeReply{"SSH-2.0-HUAWEI-1.5\r\n", false}; });
  ASSERT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(run.steps[0].kind, Step::Kind::kWaitBanner);
  EXPECT_TRUE(run.steps[0].request.empty());
  EXPECT_EQ(Value(run.observations, "ssh.software"), "HUAWEI-1.5");
  EXPECT_EQ(Value(run.observations, "ssh.banner"), "SSH-2.0-HUAWEI-1.5");
  EXPECT_EQ(Value(run.observations, "tcp.port.open"), "22");
}

TEST(GreetingProbes, TelnetSessionOnlyRefuses) {
  TelnetProbe probe;
  // Huawei router banner (recog telnet_banners.xml "Huawei Router"), after a negotiation round.
  const std::string banner =
      "Warning: Telnet is not a secure protocol, and it is recommended to use Stelnet.\r\n\r\nLogin authentication\r\n\r\n\r\nUsername:";
  auto run = testing::RunFakeSession(probe, {"127.0.0.1", 23}, [&](const Step&, int i) {
    if (i == 0) return testing::FakeReply{kIac + "\xfb\x01" + kIac + "\xfb\x03" + kIac + "\xfd\x18", false};
    return testing::FakeReply{banner, false};
  });
  ASSERT_EQ(run.steps.size(), 2u);
  EXPECT_EQ(run.steps[0].kind, Step::Kind::kWaitBanner);
  EXPECT_EQ(run.steps[1].kind, Step::Kind::kSend);
  // Only refusals are ever sent: every byte triple is IAC DONT/WONT x.
  const std::string& sent = run.steps[1].request;
  ASSERT_EQ(sent.size() % 3, 0u);
  for (size_t i = 0; i < sent.size(); i += 3) {
    EXPECT_EQ(static_cast<unsigned char>(sent[i]), 255);
    unsigned char cmd = static_cast<unsigned char>(sent[i + 1]);
    EXPECT_TRUE(cmd == 252 || cmd == 254);
  }
  EXPECT_EQ(Value(run.observations, "telnet.banner"),
            "Warning: Telnet is not a secure protocol, and it is recommended to use Stelnet.\nLogin authentication\nUsername:");
  EXPECT_EQ(Value(run.observations, "telnet.prompt"), "Username:");
  EXPECT_EQ(Value(run.observations, "telnet.options"), "WILL 1,WILL 3,DO 24");
}

TEST(GreetingProbes, TelnetNegotiationLoopIsBounded) {
  TelnetProbe probe;
  auto run = testing::RunFakeSession(probe, {"127.0.0.1", 23},
                                     [&](const Step&, int) { return testing::FakeReply{kIac + "\xfd\x18", false}; });
  EXPECT_TRUE(run.finished);
  EXPECT_LE(run.steps.size(), 3u);
  EXPECT_EQ(Value(run.observations, "telnet.error"), "negotiation only, no text");
}

TEST(GreetingProbes, FtpAndCwmp) {
  FtpProbe ftp;
  auto run = testing::RunFakeSession(ftp, {"127.0.0.1", 21},
                                     [](const Step&, int) { return testing::FakeReply{"220 FTP ready\r\n", false}; });
  EXPECT_EQ(Value(run.observations, "ftp.code"), "220");
  CwmpProbe cwmp;
  auto c = testing::RunFakeSession(cwmp, {"127.0.0.1", 7547}, [](const Step&, int) {
    return testing::FakeReply{"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"HuaweiHomeGateway\", nonce=\"1\"\r\n"
                              "Content-Length: 0\r\n\r\n"};
  });
  ASSERT_EQ(c.steps.size(), 1u);  // GET / only, no follow-ups
  EXPECT_EQ(c.steps[0].request.rfind("GET / HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(c.steps[0].request.find("Authorization"), std::string::npos);
  EXPECT_EQ(Value(c.observations, "cwmp.auth.realm"), "HuaweiHomeGateway");
  EXPECT_EQ(Value(c.observations, "cwmp.status"), "401");
  for (const auto& o : c.observations) {
    EXPECT_TRUE(o.key.rfind("cwmp.", 0) == 0 || o.key == "tcp.port.open") << o.key;
  }
}

// Every key a greeting session emits (over many replies) is declared in its spec.
TEST(GreetingProbes, EmittedKeysAreDeclared) {
  const std::vector<std::string> replies = {
      "", "SSH-2.0-x y\r\n", "pre\r\nSSH-2.0-x\r\n", "220-a\r\n220 b\r\n", "garbage", std::string(300, 'x'),
      kIac + "\xfd\x18" + "Login:", "HTTP/1.1 401 X\r\nWWW-Authenticate: Basic realm=\"r\"\r\nServer: s\r\n\r\n<title>t</title>"};
  for (const Probe* probe : AllProbes()) {
    const std::string& name = probe->Spec().name;
    if (name != "ssh" && name != "telnet" && name != "ftp" && name != "cwmp") continue;
    std::set<std::string> keys;
    for (const std::string& r : replies) {
      for (bool close : {true, false}) {
        auto run = testing::RunFakeSession(*probe, {"127.0.0.1", probe->Spec().default_ports[0]},
                                           [&](const Step&, int) { return testing::FakeReply{r, close}; }, {.byte_cap = 100});
        EXPECT_TRUE(run.finished) << name;
        for (const auto& o : run.observations) keys.insert(o.key);
      }
    }
    for (const std::string& key : keys) {
      bool declared = false;
      for (const FieldSpec& f : probe->Spec().fields) {
        size_t w = f.key.find("<name>");
        declared = declared || f.key == key || (w != std::string::npos && key.rfind(f.key.substr(0, w), 0) == 0);
      }
      EXPECT_TRUE(declared) << name << " emits undeclared " << key;
    }
  }
}

}  // namespace
}  // namespace phaseout::probes::greeting
