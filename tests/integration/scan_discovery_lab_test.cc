// Scans lab devices that answer only discovery protocols (SADP, DHIP, WS-Discovery) and telecom
// gear reachable only over SSH, telnet or TR-069, with the real engine, probes, rules and
// policies; requires agreement with the ground truth, section 889 verdicts, and flagged (never
// merged) records for multicast replies from outside the scope.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <mutex>
#include <string>
#include <vector>

#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "engine/scanner.h"
#include "net/interfaces.h"
#include "net/target_set.h"
#include "policy/policy_set.h"
#include "tests/testing/netns_guard.h"
#include "tools/lab/lab.h"
#include "tools/lab/truth_check.h"

namespace phaseout {
namespace {

const std::vector<uint16_t> kPorts = {21, 22, 23, 80, 443, 554, 7547, 8000, 37777};

struct Scan {
  std::vector<model::DeviceReport> reports;
  engine::ScanStats stats;
};

Scan ScanBlock(const engine::Knowledge& k, const std::vector<std::string>& specs, bool discover) {
  Scan out;
  auto targets = net::TargetSet::Parse(specs, {});
  EXPECT_TRUE(targets);
  auto selected = k.policies->Select({});
  engine::Classifier classifier(k.rules, *k.policies, *selected);
  engine::ScanOptions options;
  options.ports = kPorts;
  options.rate = 0;
  options.concurrency = 256;
  options.connect_timeout_ms = 500;
  options.read_timeout_ms = 1500;
  options.neighbor_table_path = "";
  options.discovery.wait_ms = 500;
  options.discovery.multicast_wait_ms = 1000;
  if (discover) {
    engine::DiscoveryFlags flags;
    flags.discover = true;
    flags.interfaces = {"lo"};
    Status st = engine::ApplyDiscoveryFlags(flags, &options);
    EXPECT_TRUE(st.ok()) << st.error().message;
  }
  std::mutex mu;
  engine::Scanner scanner(options);
  Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
    model::DeviceReport r = classifier.Classify(std::move(host));
    std::lock_guard<std::mutex> lock(mu);
    out.reports.push_back(std::move(r));
  });
  EXPECT_TRUE(st.ok());
  out.stats = scanner.Snapshot();
  return out;
}

std::vector<lab::ScannedHost> ToScanned(const std::vector<model::DeviceReport>& reports) {
  std::vector<lab::ScannedHost> out;
  for (const auto& r : reports) {
    if (r.host.out_of_scope) continue;
    lab::ScannedHost h;
    h.ip = r.host.ip;
    h.open_ports = r.host.open_ports;
    h.manufacturer = r.identification.manufacturer;
    h.brand = r.identification.brand;
    h.device_type = r.identification.device_type;
    h.model = r.identification.model;
    h.firmware = r.identification.firmware;
    h.serial = r.identification.serial;
    out.push_back(std::move(h));
  }
  return out;
}

std::unique_ptr<lab::Lab> StartLab(const std::string& base, uint32_t devices) {
  lab::LabSpec spec;
  spec.base = base;
  spec.devices = devices;
  spec.seed = 66;
  spec.mix = {{"hikvision-ipc-sadp-only", 1.0}, {"dahua-ipc-dhip-only", 1.0}, {"huawei-ont-echolife", 1.0},
              {"zte-ont-zxhn-telnet", 1.0}, {"huawei-switch-vrp", 1.0}};
  auto started = lab::Lab::Start(spec);
  EXPECT_TRUE(started) << started.error().message;
  return started ? std::move(*started) : nullptr;
}

TEST(ScanDiscoveryLabTest, DiscoveryOnlyAndTelecomDevicesAreIdentified) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto k = engine::LoadKnowledge();
  ASSERT_TRUE(k) << k.error().message;
  auto the_lab = StartLab("127.27.0.0/26", 30);
  ASSERT_NE(the_lab, nullptr);
  Scan scan = ScanBlock(*k, {"127.27.0.0/26"}, /*discover=*/false);
  lab::TruthCheck check = lab::CompareWithTruth(the_lab->Truth(), ToScanned(scan.reports), kPorts);
  EXPECT_TRUE(check.Perfect()) << lab::FormatTruthCheck(check);
  EXPECT_EQ(check.devices, 30u);
  EXPECT_EQ(check.devices_expected, 30u);
  std::map<std::string, std::string> profile_by_ip;
  for (const auto& t : the_lab->Truth()) profile_by_ip[lab::Ipv4ToString(t.ip)] = t.profile_id;
  std::set<std::string> seen_profiles;
  for (const auto& r : scan.reports) {
    ASSERT_FALSE(r.host.out_of_scope) << r.host.ip;
    seen_profiles.insert(profile_by_ip[r.host.ip]);
    for (const auto& v : r.verdicts) {
      if (v.policy != "us-ndaa-889") continue;
      EXPECT_EQ(v.status, model::VerdictStatus::kProhibited) << r.host.ip << " " << profile_by_ip[r.host.ip] << ": " << v.reason;
    }
    // Telnet: only refusals were ever sent; nothing typed at the Login prompt.
    if (profile_by_ip[r.host.ip] == "dahua-ipc-dhip-only" || profile_by_ip[r.host.ip] == "hikvision-ipc-sadp-only") {
      EXPECT_TRUE(r.host.open_ports.empty()) << r.host.ip;
      EXPECT_FALSE(r.host.mac.empty()) << r.host.ip << ": the discovery reply carries the MAC";
    }
  }
  EXPECT_EQ(seen_profiles.size(), 5u);
  EXPECT_GT(scan.stats.udp.replies, 0u);
  EXPECT_EQ(scan.stats.udp.replies_out_of_scope, 0u);
}

TEST(ScanDiscoveryLabTest, MulticastRepliesFromOutsideTheScopeAreFlagged) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto k = engine::LoadKnowledge();
  ASSERT_TRUE(k) << k.error().message;
  auto the_lab = StartLab("127.28.0.0/26", 20);
  ASSERT_NE(the_lab, nullptr);
  // Scope: the lower half of the block only; the multicast search reaches every device.
  Scan scan = ScanBlock(*k, {"127.28.0.0/27"}, /*discover=*/true);
  size_t inside = 0, outside = 0;
  for (const auto& r : scan.reports) {
    auto addr = net::IpAddress::Parse(r.host.ip);
    ASSERT_TRUE(addr);
    bool in_scope = (addr->v4() & 0xffffffe0u) == ((127u << 24) | (28u << 16));
    EXPECT_EQ(r.host.out_of_scope, !in_scope) << r.host.ip;
    if (r.host.out_of_scope) {
      ++outside;
      EXPECT_TRUE(r.host.open_ports.empty()) << r.host.ip << ": out-of-scope hosts are never probed";
      EXPECT_FALSE(r.host.notes.empty());
    } else {
      ++inside;
    }
  }
  size_t udp_devices_outside = 0;
  for (const auto& t : the_lab->Truth()) {
    if (t.kind == lab::HostKind::kDevice && !t.udp_ports.empty() && (t.ip & 0xffffffe0u) != ((127u << 24) | (28u << 16))) {
      ++udp_devices_outside;
    }
  }
  EXPECT_GT(inside, 0u);
  EXPECT_EQ(outside, udp_devices_outside);
  EXPECT_GT(scan.stats.udp.replies_out_of_scope, 0u);
}

}  // namespace
}  // namespace phaseout
