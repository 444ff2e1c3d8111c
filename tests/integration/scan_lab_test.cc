// Scans an in-process device lab with the real engine, probes, rules and policies, and requires
// exact agreement with the lab's ground truth.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "engine/scanner.h"
#include "fingerprint/rule_db.h"
#include "net/ports.h"
#include "net/target_set.h"
#include "policy/policy_set.h"
#include "policy/vendor_registry.h"
#include "tests/testing/netns_guard.h"
#include "tools/lab/lab.h"
#include "tools/lab/truth_check.h"

namespace phaseout {
namespace {

using engine::Knowledge;

Knowledge LoadKnowledge() {
  auto k = engine::LoadKnowledge();
  EXPECT_TRUE(k) << (k ? "" : k.error().message);
  return k ? std::move(*k) : Knowledge{};
}

std::vector<model::DeviceReport> ScanBlock(const Knowledge& k, const std::string& block) {
  auto targets = net::TargetSet::Parse({block}, {});
  EXPECT_TRUE(targets);
  auto selected = k.policies->Select({});
  EXPECT_TRUE(selected);
  engine::Classifier classifier(k.rules, *k.policies, *selected);
  engine::ScanOptions options;
  options.rate = 0;  // unlimited: loopback lab
  options.concurrency = 512;
  options.connect_timeout_ms = 500;
  options.read_timeout_ms = 1500;
  std::mutex mu;
  std::vector<model::DeviceReport> reports;
  engine::Scanner scanner(options);
  Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
    model::DeviceReport r = classifier.Classify(std::move(host));
    std::lock_guard<std::mutex> lock(mu);
    reports.push_back(std::move(r));
  });
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return reports;
}

std::vector<lab::ScannedHost> ToScanned(const std::vector<model::DeviceReport>& reports) {
  std::vector<lab::ScannedHost> out;
  for (const auto& r : reports) {
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

TEST(ScanLabTest, ScanAgreesExactlyWithGroundTruth) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  Knowledge k = LoadKnowledge();
  ASSERT_TRUE(k.rules && k.policies);
  lab::LabSpec spec;
  spec.base = "127.24.0.0/22";
  spec.devices = 240;
  spec.seed = 20251;
  spec.silent_fraction = 0.01;
  auto started = lab::Lab::Start(spec);
  ASSERT_TRUE(started) << started.error().message;
  lab::Lab& the_lab = **started;

  auto reports = ScanBlock(k, spec.base);
  lab::TruthCheck check = lab::CompareWithTruth(the_lab.Truth(), ToScanned(reports), net::DefaultPorts());
  EXPECT_TRUE(check.Perfect()) << lab::FormatTruthCheck(check);
  EXPECT_EQ(check.devices, 240u);
  EXPECT_GT(check.devices_expected, 150u) << "the lab mix should be mostly identifiable devices";

  // Verdicts follow the identification: every identifiable device the truth says Hikvision or
  // Dahua made is prohibited under section 889 (each sends a strong identifying signal); the
  // others are never prohibited, and "unknown" when no maker is named.
  std::map<std::string, const lab::TruthEntry*> truth_by_ip;
  for (const auto& t : the_lab.Truth()) truth_by_ip[lab::Ipv4ToString(t.ip)] = &t;
  int checked = 0;
  for (const auto& r : reports) {
    const lab::TruthEntry* t = truth_by_ip[r.host.ip];
    ASSERT_NE(t, nullptr) << r.host.ip;
    for (const auto& v : r.verdicts) {
      if (v.policy != "us-ndaa-889") continue;
      if (!t->expect_identified) {
        // Synthetic or confusable devices: never prohibited; with no maker named, "unknown",
        // never "clear" (clear means "identified as something not covered").
        EXPECT_NE(v.status, model::VerdictStatus::kProhibited) << r.host.ip << " " << t->profile_id << ": " << v.reason;
        if (r.identification.manufacturer.empty()) {
          EXPECT_EQ(v.status, model::VerdictStatus::kUnknown) << r.host.ip << " " << t->profile_id << ": " << v.reason;
        }
        continue;
      }
      // Section 889 covers Huawei, ZTE, Hytera, Hikvision and Dahua (and their subsidiaries).
      bool covered = t->manufacturer == "hikvision" || t->manufacturer == "dahua" || t->manufacturer == "huawei" ||
                     t->manufacturer == "zte" || t->manufacturer == "hytera";
      EXPECT_EQ(v.status, covered ? model::VerdictStatus::kProhibited : model::VerdictStatus::kClear)
          << r.host.ip << " " << t->profile_id << ": " << v.reason;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(ScanLabTest, HostileDevicesAreCutOffAndNoted) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  Knowledge k = LoadKnowledge();
  ASSERT_TRUE(k.rules && k.policies);
  lab::LabSpec spec;
  spec.base = "127.25.0.0/26";
  spec.devices = 4;
  spec.hostile = 6;
  spec.seed = 7;
  auto started = lab::Lab::Start(spec);
  ASSERT_TRUE(started) << started.error().message;
  auto reports = ScanBlock(k, spec.base);
  lab::TruthCheck check = lab::CompareWithTruth((*started)->Truth(), ToScanned(reports), net::DefaultPorts());
  EXPECT_TRUE(check.Perfect()) << lab::FormatTruthCheck(check);
  int noted = 0;
  for (const auto& r : reports) {
    for (const auto& t : (*started)->Truth()) {
      if (t.kind == lab::HostKind::kHostile && lab::Ipv4ToString(t.ip) == r.host.ip) {
        bool has_note = !r.host.notes.empty();
        for (const auto& o : r.host.observations) {
          if (o.key.size() > 6 && o.key.compare(o.key.size() - 6, 6, ".limit") == 0) has_note = true;
        }
        if (has_note) ++noted;
      }
    }
  }
  EXPECT_GE(noted, 1) << "hostile replies should be recorded as cut off at the limits";
}

}  // namespace
}  // namespace phaseout
