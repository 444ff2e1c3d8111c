// Runs `phaseout check` end to end inside the private network namespace against the device lab
// on 127.x, with the lab's subnet given through the testing hook PHASEOUT_CHECK_TEST_INTERFACES
// (the same injection point the unit tests of net/interfaces use). Also the bad cases: no
// private network, a hook pointing at a real network, no policy for the locale, a subnet
// outside the attached one, an interface that disappears mid-check, the time limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "net/ports.h"
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "engine/discovery.h"
#include "probes/mdns/mdns.h"
#include "tests/testing/netns_guard.h"
#include "tools/lab/estate.h"
#include "tools/lab/lab.h"

namespace phaseout {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  double seconds = 0;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("phaseout-check-" + std::to_string(getpid()) + "-" + name)).string();
}

// Runs phaseout with `env` (VAR=value ... prefix for sh) and `args`.
CliRun RunCheck(const std::string& env, const std::string& args) {
  std::string err_path = Tmp("stderr");
  std::string cmd = env + " " + PHASEOUT_BINARY + " check " + args + " 2>" + err_path;
  CliRun run;
  auto start = std::chrono::steady_clock::now();
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  int status = pclose(pipe);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = Slurp(err_path);
  std::remove(err_path.c_str());
  return run;
}

// An address of the block with nothing on it, to act as "this machine".
std::string FreeAddress(const lab::Lab& l, uint32_t first, uint32_t last) {
  for (uint32_t a = first + 1; a < last; ++a) {
    bool used = false;
    for (const auto& t : l.Truth()) used = used || (t.ip == a && t.kind != lab::HostKind::kRefuse);
    if (!used) return lab::Ipv4ToString(a);
  }
  return "";
}

TEST(CheckCliTest, ChecksTheInjectedLabSubnetAndAnswersInPlainWords) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  lab::LabSpec spec;
  spec.base = "127.30.0.0/24";
  spec.devices = 50;
  spec.seed = 7;
  auto started = lab::Lab::Start(spec);
  ASSERT_TRUE(started) << started.error().message;
  const lab::Lab& l = **started;
  std::string own = FreeAddress(l, 0x7f1e0000u, 0x7f1e00ffu);
  ASSERT_FALSE(own.empty());
  std::string html = Tmp("answer.html");
  CliRun r = RunCheck(std::string("PHASEOUT_CHECK_TEST_INTERFACES=lab0=") + own + "/24",
                      "--policy us-ndaa-889 --rate 300 --no-progress --oui-dir '' --html " + html);
  // Hikvision and Dahua devices are in the lab: exit 3 as for scan.
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  int answering = 0;
  const std::vector<uint16_t>& checked_ports = net::DefaultPorts();  // the check scans these
  for (const auto& t : l.Truth()) {
    if (t.kind != lab::HostKind::kDevice) continue;
    // A device is seen when it answers on a checked TCP port or a discovery datagram (the
    // scan's UDP pass); a telnet- or FTP-only device is not (docs/check.md, "Limits").
    bool seen = !t.udp_ports.empty();
    for (uint16_t p : t.open_ports) {
      seen = seen || std::find(checked_ports.begin(), checked_ports.end(), p) != checked_ports.end();
    }
    if (!seen) continue;
    ++answering;
    std::string ip = lab::Ipv4ToString(t.ip);
    bool covered = t.manufacturer == "hikvision" || t.manufacturer == "dahua";
    if (covered && t.expect_identified) {
      EXPECT_NE(r.out.find(", at " + ip), std::string::npos) << ip << " (" << t.profile_id
                                                            << ") missing from\n" << r.out;
    }
  }
  EXPECT_NE(r.out.find(std::to_string(answering) + " devices answered on 253 addresses checked."),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("127.30.0.0/24 on lab0"), std::string::npos);
  EXPECT_NE(r.out.find("What people usually do next"), std::string::npos);
  EXPECT_NE(r.out.find("https://www.acq.osd.mil/dpap/dars/section889.html"), std::string::npos);
  EXPECT_NE(r.out.find("Recognised by "), std::string::npos);
  EXPECT_EQ(r.out.find("INCOMPLETE"), std::string::npos) << r.out;
  std::string page = Slurp(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_NE(page.find("127.30.0.0/24 on lab0"), std::string::npos);
  std::remove(html.c_str());
  EXPECT_LT(r.seconds, 120.0);
}

TEST(CheckCliTest, NoPrivateNetworkGivesAClearMessage) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  for (const char* env : {"PHASEOUT_CHECK_TEST_INTERFACES=", "PHASEOUT_CHECK_TEST_INTERFACES=lab0=127.31.0.1/24:down"}) {
    CliRun r = RunCheck(env, "--policy us-ndaa-889 --no-progress");
    EXPECT_EQ(r.exit_code, 1) << env << r.err;
    EXPECT_NE(r.err.find("no private network is attached"), std::string::npos) << r.err;
    EXPECT_LT(r.seconds, 30.0);
  }
}

TEST(CheckCliTest, TheTestingHookRefusesRealNetworks) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  CliRun r = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=eth0=192.168.1.2/24", "--policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("only 127.0.0.0/8"), std::string::npos) << r.err;
}

TEST(CheckCliTest, WithoutAPolicyForTheLocaleItAsks) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  CliRun r = RunCheck("LC_ALL= LC_MESSAGES= LANG=C.UTF-8 PHASEOUT_CHECK_TEST_INTERFACES=lab0=127.31.0.1/24", "");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("choose the policy that applies to you with --policy"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ca-federal-2025"), std::string::npos) << r.err;
  CliRun unknown = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=lab0=127.31.0.1/24", "--policy nope");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("nope"), std::string::npos) << unknown.err;
}

TEST(CheckCliTest, ANamedSubnetMustLieInsideTheAttachedNetwork) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  CliRun r = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=lab0=127.31.0.1/24",
                      "--policy us-ndaa-889 --subnet 127.32.0.0/24");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("127.32.0.0/24 is not inside a private network attached"), std::string::npos) << r.err;
  CliRun bad = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=lab0=127.31.0.1/24", "--policy us-ndaa-889 --subnet 10.0.0.0/33");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST(CheckCliTest, AnInterfaceThatDisappearsStopsTheCheckWithAClearMessage) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  lab::LabSpec spec;
  spec.base = "127.33.0.0/24";
  spec.devices = 5;
  spec.mix = {{"axis-camera", 1.0}};
  auto started = lab::Lab::Start(spec);
  ASSERT_TRUE(started) << started.error().message;
  std::string list = Tmp("interfaces");
  { std::ofstream(list) << "lab0=" << FreeAddress(**started, 0x7f210000u, 0x7f2100ffu) << "/24\n"; }
  std::thread unplug([&] {
    // Once the check has chosen its subnet and started scanning, the interface goes away.
    for (int i = 0; i < 600 && Slurp(Tmp("stderr")).find("phaseout check: checking") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::ofstream(list, std::ios::trunc) << "";  // the interface is gone
  });
  // At 20 attempts per second the /24 would take about 90 s; losing the interface stops it.
  CliRun r = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=@" + list, "--policy us-ndaa-889 --rate 20 --no-progress");
  unplug.join();
  std::remove(list.c_str());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;  // incomplete, as for scan
  EXPECT_NE(r.out.find("INCOMPLETE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The network interface lab0 (127.33.0.0/24) disappeared during the check"),
            std::string::npos) << r.out;
  EXPECT_LT(r.seconds, 45.0);  // startup (a few seconds under ASan) + 1 s + at most 0.5 s to notice
}

TEST(CheckCliTest, TheTimeLimitBoundsTheRun) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  CliRun r = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=lab0=127.34.0.1/24",
                      "--policy us-ndaa-889 --rate 20 --max-time 5 --no-progress");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;  // incomplete, as for scan
  EXPECT_NE(r.out.find("reached its time limit of 5 s"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("will not finish within 5 s"), std::string::npos) << r.err;
  EXPECT_LT(r.seconds, 40.0);  // startup (a few seconds under ASan) + the 5 s limit + stopping
}

// ---- Discovery on the local segment: multicast, mDNS and a flooding device ----

// A hostile device: every SADP inquiry gets `repeat` copies of a ProbeMatch.
std::string Flooder(int repeat) {
  return std::string(R"(id: test-sadp-flooder
description: hostile host flooding SADP replies (synthetic, discovery tests)
weight: 1
sources:
  - id: issue
    ref: phaseout issue 10 (bad input - a device that floods discovery replies)
    fact: a check must stay bounded when a device floods discovery replies
truth:
  manufacturer: ""
  brand: ""
  device_type: camera
  model: ""
  firmware: ""
  serial: "F{n:6}"
  ouis: ["020A06"]
  expect_identified: false
  synthetic: true
  note: a hostile host, not a real product
ports:
  - port: 37020
    kind: udp
    protocol: sadp
    repeat: )") + std::to_string(repeat) + R"(
    reply: |
      <?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Types>inquiry</Types><DeviceDescription>FLOOD</DeviceDescription><DeviceSN>{serial}{hex_token}</DeviceSN></ProbeMatch>
    synthetic: true
    note: a flood of one short ProbeMatch
)";
}

std::vector<lab::Profile> Profiles(std::initializer_list<std::string> texts) {
  std::vector<lab::Profile> out;
  for (const std::string& t : texts) {
    auto p = lab::ParseProfile(t, "test-profile.yaml");
    EXPECT_TRUE(p) << p.error().message;
    if (p) out.push_back(std::move(*p));
  }
  return out;
}

// The answer's text with its 78-column wrapping undone (runs of blanks and newlines -> one blank).
std::string Flat(const std::string& text) {
  std::string flat;
  for (char c : text) {
    if (c == '\n' || c == ' ') {
      if (!flat.empty() && flat.back() != ' ') flat += ' ';
      continue;
    }
    flat += c;
  }
  return flat;
}

std::string ValueOf(const engine::DiscoveredHost& h, const std::string& key) {
  for (const auto& o : h.observations) {
    if (o.key == key) return o.value;
  }
  return "<absent>";
}

TEST(CheckDiscoveryTest, MdnsLabDevicesAnswerUnicastAndMulticastQueries) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  lab::LabSpec spec;
  spec.base = "127.36.2.0/24";
  spec.devices = 3;
  spec.seed = 3;
  spec.mix = {{"axis-camera-mdns", 1.0}};  // data/lab/profiles: a camera answering only mDNS
  auto started = lab::Lab::Start(spec);
  ASSERT_TRUE(started) << started.error().message;
  const lab::Lab& l = **started;
  auto scope = net::TargetSet::Parse({"127.36.2.0/24"});
  ASSERT_TRUE(scope);
  probes::mdns::MdnsProbe mdns;
  for (bool unicast : {true, false}) {
    engine::DiscoveryOptions o;
    o.unicast = unicast;
    o.probes = {&mdns};
    o.rate = 0;
    o.wait_ms = 300;
    o.multicast_wait_ms = 500;
    if (!unicast) o.interfaces = {net::Interface{"lab0", FreeAddress(l, 0x7f240200u, 0x7f2402ffu), 24, true, false, true}};
    auto r = engine::RunDiscovery(**scope, o, nullptr);
    ASSERT_TRUE(r) << r.error().message;
    int devices = 0;
    for (const auto& t : l.Truth()) {
      if (t.kind != lab::HostKind::kDevice) continue;
      ++devices;
      std::string ip = lab::Ipv4ToString(t.ip);
      ASSERT_EQ(r->in_scope.count(ip), 1u) << ip << (unicast ? " unicast" : " multicast");
      const engine::DiscoveredHost& h = r->in_scope.at(ip);
      std::string mac_hex = t.mac;
      mac_hex.erase(std::remove(mac_hex.begin(), mac_hex.end(), ':'), mac_hex.end());
      for (char& c : mac_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));  // {mac_hex}
      EXPECT_EQ(ValueOf(h, "mdns.instance"), "AXIS M3045-V - " + mac_hex);
      EXPECT_EQ(ValueOf(h, "mdns.service_type"), "_axis-video._tcp.local");
      EXPECT_EQ(ValueOf(h, "mdns.srv"), "80 axis-" + mac_hex + ".local");
      EXPECT_EQ(ValueOf(h, "mdns.ipv4"), ip);
      EXPECT_EQ(h.mac, t.mac);  // from mdns.txt.macaddress
    }
    EXPECT_EQ(devices, 3);
    EXPECT_EQ(r->in_scope.size(), 3u);
  }
}

TEST(CheckCliTest, MulticastDiscoveryRunsOnTheChosenInterfaceAndFlagsRepliesFromOutside) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  // Two blocks on the same segment: the check is given 127.36.0.0/24; the devices of
  // 127.36.1.0/24 hear the multicast query too and answer from outside the chosen block.
  lab::LabSpec inside;
  inside.base = "127.36.0.0/24";
  inside.devices = 3;
  inside.seed = 5;
  inside.mix = {{"axis-camera-mdns", 1.0}};  // data/lab/profiles: a camera answering only mDNS
  auto in_lab = lab::Lab::Start(inside);
  ASSERT_TRUE(in_lab) << in_lab.error().message;
  lab::LabSpec outside = inside;
  outside.base = "127.36.1.0/24";
  outside.devices = 2;
  auto out_lab = lab::Lab::Start(outside);
  ASSERT_TRUE(out_lab) << out_lab.error().message;
  // "This machine" is the address of the first inside device: it answers the multicast query
  // like a host's own mDNS responder would, and must be neither a device nor "outside".
  std::string own;
  for (const auto& t : (*in_lab)->Truth()) {
    if (t.kind == lab::HostKind::kDevice && own.empty()) own = lab::Ipv4ToString(t.ip);
  }
  CliRun r = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=lab0=" + own + "/24",
                      "--policy us-ndaa-889 --rate 300 --no-progress --oui-dir ''");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // nothing covered in either block
  EXPECT_NE(r.out.find("2 devices answered on 253 addresses checked."), std::string::npos) << r.out;
  std::vector<std::string> outside_ips;
  for (const auto& t : (*out_lab)->Truth()) {
    if (t.kind == lab::HostKind::kDevice) outside_ips.push_back(lab::Ipv4ToString(t.ip));
  }
  ASSERT_EQ(outside_ips.size(), 2u);
  std::sort(outside_ips.begin(), outside_ips.end());
  std::string flagged = "2 addresses outside the checked networks answered the discovery requests (" +
                        outside_ips[0] + ", " + outside_ips[1] + "); they were not checked";
  std::string flat = Flat(r.out);
  EXPECT_NE(flat.find(flagged), std::string::npos) << r.out;
  EXPECT_NE(flat.find("to their multicast groups on lab0 (time to live 1"), std::string::npos) << r.out;
  EXPECT_EQ(flat.find(own + ","), std::string::npos) << r.out;  // this machine is not listed
  for (const auto& t : (*in_lab)->Truth()) {
    if (t.kind != lab::HostKind::kDevice || lab::Ipv4ToString(t.ip) == own) continue;
    std::string line = "- " + lab::Ipv4ToString(t.ip) + " (MAC " + t.mac + "), answered only a discovery request";
    EXPECT_NE(flat.find(line), std::string::npos) << line << "\n" << r.out;
  }
  for (const auto& ip : outside_ips) {
    EXPECT_EQ(r.out.find("- " + ip), std::string::npos) << ip << " listed as a device:\n" << r.out;
  }
}

TEST(CheckCliTest, ADeviceThatFloodsDiscoveryRepliesKeepsTheCheckBounded) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  lab::LabSpec spec;
  spec.base = "127.37.0.0/24";
  spec.devices = 2;
  spec.seed = 9;
  auto started = lab::Lab::Start(spec, Profiles({Flooder(20000)}));
  ASSERT_TRUE(started) << started.error().message;
  std::string own = FreeAddress(**started, 0x7f250000u, 0x7f2500ffu);
  CliRun r = RunCheck("PHASEOUT_CHECK_TEST_INTERFACES=lab0=" + own + "/24",
                      "--policy us-ndaa-889 --rate 300 --no-progress --oui-dir ''");
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Both flooders are listed once each, as devices that could not be identified.
  EXPECT_NE(r.out.find("2 devices answered on 253 addresses checked."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Discovery replies were capped:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dropped"), std::string::npos) << r.out;
  EXPECT_NE(Flat(r.out).find("floods replies is still listed once"), std::string::npos) << r.out;
  // Time: the flood does not lengthen the check (a /24 at 300/s takes a few seconds).
  EXPECT_LT(r.seconds, 60.0);
  // Memory: the largest child so far (this check, ASan included) stays far from a flood's size
  // (2 x 2 x 20,000 replies of ~200 bytes would be ~16 MB of payload alone if all were kept).
  EXPECT_LT(children.ru_maxrss, 512 * 1024) << "peak RSS " << children.ru_maxrss << " KiB";
}

}  // namespace
}  // namespace phaseout
