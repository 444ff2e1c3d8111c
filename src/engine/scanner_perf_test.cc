// Throughput comparison of the Scanner against the epoll connect-and-read baseline on
// loopback. Disabled by default (a measurement, not a check); run it in a Release build:
//   scripts/netns-run build/release/src/engine/engine_scanner_perf_test --gtest_also_run_disabled_tests
// PHASEOUT_PERF_TARGETS overrides the target spec (default 127.9.0.0/18, 16384 addresses),
// PHASEOUT_PERF_THREADS the scanner threads (default 2), PHASEOUT_PERF_PROBES=1 runs the real
// probe registry instead of "connect only" (point PHASEOUT_PERF_TARGETS at a running lab).
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "engine/scanner.h"
#include "net/epoll_baseline.h"
#include "net/testing/fake_tcp_server.h"
#include "tests/testing/netns_guard.h"

namespace phaseout::engine {
namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST(ScannerPerfTest, DISABLED_LoopbackSweepAgainstEpollBaseline) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  const char* spec_env = std::getenv("PHASEOUT_PERF_TARGETS");
  const char* threads_env = std::getenv("PHASEOUT_PERF_THREADS");
  std::string spec = spec_env != nullptr ? spec_env : "127.9.0.0/18";
  auto targets = net::TargetSet::Parse({spec});
  ASSERT_TRUE(targets.has_value()) << targets.error().message;
  // A few banner servers so that part of the work is connect + read.
  std::vector<std::unique_ptr<net::testing::FakeTcpServer>> servers;
  for (int i = 1; i <= 20; ++i) {
    servers.push_back(net::testing::FakeTcpServer::Start("127.9.0." + std::to_string(i * 7), 8000,
                                                          net::testing::BannerHandler("banner\n")));
  }

  net::EpollBaselineOptions b;
  b.ports = net::DefaultPorts();
  b.concurrency = 256;
  b.read_timeout_ms = 1500;  // the banner probe's wait (probes/banner/banner.h), so silent ports cost the same
  b.requests[80] = b.requests[8080] = "GET / HTTP/1.0\r\n\r\n";
  b.requests[554] = "OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 1\r\n\r\n";
  double cpu0 = CpuSeconds();
  auto base = net::RunEpollBaseline(**targets, b);
  double base_cpu = CpuSeconds() - cpu0;
  ASSERT_TRUE(base.has_value());

  ScanOptions o;
  o.rate = 0;
  o.concurrency = 256;
  o.per_host = 2;
  o.threads = threads_env != nullptr ? static_cast<uint32_t>(std::atoi(threads_env)) : 2;
  o.read_timeout_ms = 1000;
  o.neighbor_table_path = "";
  const char* probes_env = std::getenv("PHASEOUT_PERF_PROBES");
  if (probes_env == nullptr || std::string(probes_env) != "1") {
    o.probe_for_port = [](uint16_t) -> const probes::Probe* { return nullptr; };
  }
  Scanner scanner(o);
  cpu0 = CpuSeconds();
  std::mutex mu;
  size_t hosts = 0;
  std::map<std::string, size_t> notes;  // note text with digits of the address removed
  std::map<std::string, size_t> errors;  // "<probe> <key>=<value>" of *.error observations
  ASSERT_TRUE(scanner.Run(**targets, [&](model::HostScan&& h) {
                std::lock_guard<std::mutex> lock(mu);
                ++hosts;
                for (const auto& n : h.notes) ++notes[n];
                for (const auto& o : h.observations) {
                  if (o.key.size() > 6 && o.key.compare(o.key.size() - 6, 6, ".error") == 0) {
                    ++errors[std::to_string(o.port) + " " + o.key + "=" + o.value];
                  }
                }
              }).ok());
  double scan_cpu = CpuSeconds() - cpu0;
  ScanStats s = scanner.Snapshot();
  double scan_rate = s.connections_attempted / (s.elapsed.count() / 1000.0);
  std::printf("targets %s x %zu ports\n", spec.c_str(), b.ports.size());
  std::printf("epoll baseline: %llu attempts in %.2f s = %.0f/s (open %llu, refused %llu)\n",
              static_cast<unsigned long long>(base->attempts), base->seconds, base->attempts_per_second(),
              static_cast<unsigned long long>(base->open), static_cast<unsigned long long>(base->refused));
  std::printf("scanner:        %llu attempts in %.2f s = %.0f/s (open %llu, hosts %zu, read timeouts %llu, "
              "bytes %llu)\n",
              static_cast<unsigned long long>(s.connections_attempted), s.elapsed.count() / 1000.0, scan_rate,
              static_cast<unsigned long long>(s.connections_open), hosts,
              static_cast<unsigned long long>(s.read_timeouts), static_cast<unsigned long long>(s.bytes_read));
  std::printf("addresses/s: baseline %.0f, scanner %.0f\n", (**targets).Count() / base->seconds,
              (**targets).Count() / (s.elapsed.count() / 1000.0));
  std::printf("cpu seconds: baseline %.2f, scanner %.2f (this process: includes the 20 banner servers)\n",
              base_cpu, scan_cpu);
  std::printf("ratio scanner/baseline: %.2f\n", scan_rate / base->attempts_per_second());
  for (const auto& [text, n] : notes) std::printf("note x%zu: %s\n", n, text.c_str());
  for (const auto& [text, n] : errors) std::printf("error x%zu: %s\n", n, text.c_str());
  EXPECT_GE(s.connections_attempted, base->attempts);  // probes may open extra connections
}

}  // namespace
}  // namespace phaseout::engine
