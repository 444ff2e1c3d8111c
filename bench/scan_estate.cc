// Scan-estate benchmark (issue 2 section 7): scans a running lab estate with the full
// identification pipeline and, over the same targets and ports, with a minimal epoll
// connect-and-read loop (the physical-limit baseline), in interleaved rounds (--rounds; the
// summary gives medians). Reports wall time, addresses/s, devices identified, agreement with
// the lab's ground truth, CPU seconds and peak RSS.
// Run it through scripts/bench, which starts the lab in a private network namespace.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "engine/scanner.h"
#include "fingerprint/rule_db.h"
#include "net/epoll_baseline.h"
#include "net/isolation.h"
#include "net/target_set.h"
#include "policy/policy_set.h"
#include "policy/vendor_registry.h"
#include "tools/lab/truth_check.h"

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

int Fail(const std::string& msg) {
  std::fprintf(stderr, "scan_estate: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace phaseout;
  CLI::App app{"phaseout scan-estate benchmark (run via scripts/bench)"};
  std::string block = "127.32.0.0/16";
  std::string truth_path;
  double rate = 0;
  uint32_t concurrency = 2048;
  uint32_t threads = 0;
  bool skip_baseline = false;
  int rounds = 1;
  app.add_option("--block", block, "Address block the lab occupies")->capture_default_str();
  app.add_option("--truth", truth_path, "The lab's ground-truth NDJSON")->required();
  app.add_option("--rate", rate, "Scanner rate (0 = unlimited)")->capture_default_str();
  app.add_option("--concurrency", concurrency, "Connections in flight")->capture_default_str();
  app.add_option("--threads", threads, "Scanner threads (0 = one per core)")->capture_default_str();
  app.add_flag("--skip-baseline", skip_baseline, "Only run the full scan");
  app.add_option("--rounds", rounds, "Rounds of baseline + full scan, interleaved; figures are medians")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  std::string why;
  if (!net::IsIsolatedNetwork(&why)) {
    return Fail("refusing to run outside a private network namespace (" + why + "); use scripts/bench");
  }
  std::ifstream truth_in(truth_path);
  if (!truth_in) return Fail("cannot read " + truth_path);
  std::stringstream truth_text;
  truth_text << truth_in.rdbuf();
  auto truth = lab::ParseTruthNdjson(truth_text.str());
  if (!truth) return Fail(truth.error().message);

  auto targets = net::TargetSet::Parse({block}, {});
  if (!targets) return Fail(targets.error().message);
  auto knowledge = engine::LoadKnowledge();
  if (!knowledge) return Fail(knowledge.error().message);
  auto selected = knowledge->policies->Select({});
  if (!selected) return Fail(selected.error().message);

  engine::ScanOptions options;
  options.rate = rate;
  options.concurrency = concurrency;
  options.threads = threads;
  options.connect_timeout_ms = 1000;
  options.read_timeout_ms = 1500;
  uint64_t addresses = (*targets)->Count();
  std::printf("estate: %s (%llu addresses x %zu ports), %zu truth entries\n", block.c_str(),
              static_cast<unsigned long long>(addresses), options.ports.size(), truth->size());

  // One full identification scan: wall seconds, or a failure message.
  engine::Classifier classifier(knowledge->rules, *knowledge->policies, *selected);
  lab::TruthCheck last_check;
  auto full_scan = [&](int round) -> double {
    std::mutex mu;
    std::vector<lab::ScannedHost> scanned;
    std::map<std::string, std::string> unidentified_why;  // ip -> open ports, evidence probes, notes
    uint64_t identified = 0;
    engine::Scanner scanner(options);
    double cpu0 = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
      model::DeviceReport r = classifier.Classify(std::move(host));
      lab::ScannedHost h{r.host.ip, r.host.open_ports, r.identification.manufacturer,
                         r.identification.brand, r.identification.device_type,
                         r.identification.model, r.identification.firmware,
                         r.identification.serial};
      std::lock_guard<std::mutex> lock(mu);
      if (!h.manufacturer.empty()) {
        ++identified;
      } else if (unidentified_why.size() < 50) {
        // What an unidentified host showed, to tell a lost reply from a missing rule.
        std::string why = "observations:";
        for (const auto& o : r.host.observations) why += " " + o.probe + "/" + std::to_string(o.port) + ":" + o.key;
        for (const auto& n : r.host.notes) why += "; note: " + n;
        unidentified_why[h.ip] = why;
      }
      scanned.push_back(std::move(h));
    });
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = CpuSeconds() - cpu0;
    if (!st.ok()) {
      Fail(st.error().message);
      return -1;
    }
    engine::ScanStats stats = scanner.Snapshot();
    last_check = lab::CompareWithTruth(*truth, scanned, options.ports);
    std::printf("round %d full scan:  %.2f s wall, %.0f addresses/s, %.0f connection attempts/s, %.2f CPU s, "
                "%zu hosts, %llu identified\n",
                round, wall, addresses / wall, stats.connections_attempted / wall, cpu, scanned.size(),
                static_cast<unsigned long long>(identified));
    std::printf("  of which the UDP discovery pass: %.2f s (%llu datagrams sent, %llu replies)\n",
                stats.udp_elapsed.count() / 1000.0, static_cast<unsigned long long>(stats.udp.datagrams_sent),
                static_cast<unsigned long long>(stats.udp.replies));
    std::printf("%s", lab::FormatTruthCheck(last_check).c_str());
    for (const auto& m : last_check.mismatches) {
      for (const auto& [ip, why] : unidentified_why) {
        if (m.find(ip + " ") != std::string::npos) std::printf("  unidentified %s: %s\n", ip.c_str(), why.c_str());
      }
    }
    return wall;
  };

  // Baseline over the same targets and ports: connect, send the same first request the probes
  // send on web/RTSP ports (so servers answer), read one chunk, close.
  net::EpollBaselineOptions bo;
  bo.ports = options.ports;
  bo.concurrency = concurrency;
  bo.connect_timeout_ms = options.connect_timeout_ms;
  bo.read_timeout_ms = options.read_timeout_ms;
  for (uint16_t p : {80, 8080}) bo.requests[p] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  bo.requests[554] = "OPTIONS rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\n\r\n";
  auto baseline = [&](int round) -> double {
    auto base = net::RunEpollBaseline(**targets, bo);
    if (!base) {
      Fail(base.error().message);
      return -1;
    }
    std::printf("round %d baseline:   %.2f s wall, %.0f addresses/s, %.0f connection attempts/s (epoll, "
                "1 thread, connect + one read)\n",
                round, base->seconds, addresses / base->seconds, base->attempts_per_second());
    return base->seconds;
  };

  // Rounds interleave the two (baseline first in odd rounds, the full scan first in even ones)
  // so that a machine whose load changes during the run weighs on both alike.
  std::vector<double> scan_walls, base_walls, ratios;
  for (int round = 1; round <= rounds; ++round) {
    double sw = 0, bw = 0;
    if (skip_baseline) {
      sw = full_scan(round);
    } else if (round % 2 == 1) {
      bw = baseline(round);
      sw = bw < 0 ? -1 : full_scan(round);
    } else {
      sw = full_scan(round);
      bw = sw < 0 ? -1 : baseline(round);
    }
    if (sw < 0 || bw < 0) return 1;
    scan_walls.push_back(sw);
    if (!skip_baseline) {
      base_walls.push_back(bw);
      ratios.push_back(bw / sw);  // address rates are addresses / wall
      std::printf("round %d ratio:      full identification at %.0f%% of the baseline's address rate\n", round,
                  100.0 * bw / sw);
    }
    std::fflush(stdout);
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  const double scan_wall = median(scan_walls);
  const double base_wall = median(base_walls);
  const double scan_rate = addresses / scan_wall;
  const double base_rate = base_wall > 0 ? addresses / base_wall : 0;
  if (!skip_baseline) {
    std::printf("median of %d rounds: full %.0f addresses/s, baseline %.0f addresses/s, ratio %.0f%% "
                "(per-round ratios: min %.0f%%, max %.0f%%)\n",
                rounds, scan_rate, base_rate, 100.0 * median(ratios),
                100.0 * *std::min_element(ratios.begin(), ratios.end()),
                100.0 * *std::max_element(ratios.begin(), ratios.end()));
  }
  const lab::TruthCheck& check = last_check;
  std::printf("peak RSS:   %.1f MB\n", PeakRssMb());
  std::printf(
      "{\"addresses\":%llu,\"scan_wall_s\":%.3f,\"scan_addresses_per_s\":%.0f,"
      "\"agreement\":%.4f,\"baseline_wall_s\":%.3f,\"baseline_addresses_per_s\":%.0f,"
      "\"rounds\":%d,\"ratio_median\":%.3f,\"peak_rss_mb\":%.1f}\n",
      static_cast<unsigned long long>(addresses), scan_wall, scan_rate, check.Agreement(), base_wall,
      base_rate, rounds, median(ratios), PeakRssMb());
  return check.Perfect() ? 0 : 4;
}
