// Fingerprint matcher benchmarks (Google Benchmark). Named scenarios:
//   BM_IdentifyEstate/10000  Identify over 10k synthetic HostScans against the shipped rules
//                            (mix of Hikvision, Dahua, OEM, confusable and plain hosts; about
//                            a third carry a 16 KiB body). Reports hosts/s.
//   BM_MatchBody16k          one RuleDb::Match of a 16 KiB body on http.body (bytes/s).
//   BM_MatchShortValue       one RuleDb::Match of a short realm on http.auth.realm.
//   BM_LoadRuleDb            loading and compiling data/ (vocabularies + all rule files).
// Run: build/release/bench/matcher_bench --benchmark_filter=. (see docs/performance.md).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "fingerprint/identify.h"
#include "fingerprint/rule_db.h"

namespace {

using phaseout::fingerprint::RuleDb;
using phaseout::model::HostScan;
using phaseout::model::Observation;

std::shared_ptr<const RuleDb> Db() {
  static std::shared_ptr<const RuleDb> db = [] {
    auto loaded = phaseout::fingerprint::LoadRuleDbFromDataDir(PHASEOUT_SOURCE_DATA_DIR);
    if (!loaded) {
      std::fprintf(stderr, "matcher_bench: %s\n", loaded.error().message.c_str());
      std::exit(1);
    }
    return *loaded;
  }();
  return db;
}

std::string Body(std::mt19937& rng, const std::string& marker) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz <>/=\"\n0123456789";
  std::string body;
  body.reserve(16 * 1024);
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  while (body.size() < 16 * 1024 - marker.size()) body.push_back(kAlphabet[pick(rng)]);
  body.insert(body.size() / 2, marker);
  return body;
}

// Builds `n` hosts with the shapes the shipped rules read (rapid7/recog, nmap-service-probes): each host gets 4-12 observations.
std::vector<HostScan> Estate(size_t n) {
  std::mt19937 rng(42);
  std::vector<HostScan> hosts;
  hosts.reserve(n);
  for (size_t idx = 0; idx < n; ++idx) {
    HostScan h;
    h.ip = "127.1." + std::to_string(idx / 256) + "." + std::to_string(idx % 256);
    auto add = [&](const char* probe, uint16_t port, const char* key, std::string value) {
      h.observations.push_back(Observation{probe, port, key, std::move(value)});
    };
    bool big = idx % 3 == 0;
    switch (idx % 6) {
      case 0:  // Hikvision camera
        add("http", 80, "http.status", "200");
        add("http", 80, "http.header.server", "App-webs/");
        add("http", 80, "http.body", big ? Body(rng, "/doc/page/login.asp") : "<a href=/doc/page/login.asp>");
        add("http", 80, "isapi.auth.realm", "IP Camera(C2183)");
        add("rtsp", 554, "rtsp.no_server_header", "true");
        add("rtsp", 554, "rtsp.date_layout", "hikvision-dow-mon-day-year");
        add("rtsp", 554, "rtsp.auth.realm", "IP Camera(C2875)");
        add("banner", 8000, "tcp.banner.hex", "000000100000001e0000001e00000000");
        add("host", 0, "mac.oui.org", "Hangzhou Hikvision Digital Technology Co.,Ltd.");
        break;
      case 1:  // Hikvision NVR
        add("http", 80, "http.header.server", "DNVRS-Webs");
        add("http", 80, "isapi.schema", "userCheck");
        add("http", 80, "isapi.body", "<userCheck><statusValue>401</statusValue></userCheck>");
        add("tls", 443, "tls.subject", "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN");
        break;
      case 2:  // Dahua camera
        add("http", 80, "http.no_server_header", "true");
        add("http", 80, "http.header_names", "CONNECTION,CONTENT-LENGTH,CONTENT-TYPE");
        add("http", 80, "http.title", "WEB SERVICE");
        add("http", 80, "http.body", big ? Body(rng, "@WebVersion@ t_username") : "@WebVersion@ t_username");
        add("http", 80, "magicbox.auth.realm", "Login to 4H01D66PAJ2FA64");
        add("rtsp", 554, "rtsp.header.server", "Rtsp Server/3.0");
        add("tcp", 37777, "tcp.port.open", "37777");
        break;
      case 3:  // Lorex / Amcrest OEM
        add("rtsp", 554, "rtsp.auth.realm", idx % 2 ? "Login to ND021808019141" : "Login to AMC000N49SSV0M2U46");
        add("http", 80, "http.body", big ? Body(rng, "Amcrest Technologies") : "Amcrest Technologies");
        add("host", 0, "mac.oui.org", "Lorex Technology Inc.");
        break;
      case 4:  // Confusables: generic HiSilicon OEM, Axis
        add("http", 80, "http.header.server", "GoAhead-Webs");
        add("http", 80, "http.title", "IPC");
        add("http", 80, "http.auth.realm", "AXIS_ACCC8E3A0A8F");
        add("host", 0, "mac.oui.org", "Hisilicon Technologies Co.,Ltd");
        break;
      default:  // Plain web server
        add("http", 80, "http.status", "200");
        add("http", 80, "http.header.server", "nginx/1.22.1");
        add("http", 80, "http.title", "Welcome to nginx!");
        add("http", 80, "http.body", big ? Body(rng, "<h1>Welcome to nginx!</h1>") : "<h1>Welcome to nginx!</h1>");
        break;
    }
    hosts.push_back(std::move(h));
  }
  return hosts;
}

void BM_IdentifyEstate(benchmark::State& state) {
  auto db = Db();
  auto hosts = Estate(static_cast<size_t>(state.range(0)));
  size_t identified = 0;
  for (auto _ : state) {
    identified = 0;
    for (const auto& h : hosts) {
      auto id = phaseout::fingerprint::Identify(*db, h);
      identified += id.manufacturer.empty() ? 0 : 1;
      benchmark::DoNotOptimize(id);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(hosts.size()));
  state.counters["identified"] = static_cast<double>(identified);
}
BENCHMARK(BM_IdentifyEstate)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_MatchBody16k(benchmark::State& state) {
  auto db = Db();
  std::mt19937 rng(7);
  std::string body = Body(rng, "Hikvision Digital Technology");
  for (auto _ : state) benchmark::DoNotOptimize(db->Match("http.body", body));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_MatchBody16k);

void BM_MatchShortValue(benchmark::State& state) {
  auto db = Db();
  for (auto _ : state) benchmark::DoNotOptimize(db->Match("http.auth.realm", "Login to 4H01D66PAJ2FA64"));
}
BENCHMARK(BM_MatchShortValue);

void BM_LoadRuleDb(benchmark::State& state) {
  for (auto _ : state) {
    auto db = phaseout::fingerprint::LoadRuleDbFromDataDir(PHASEOUT_SOURCE_DATA_DIR);
    benchmark::DoNotOptimize(db);
  }
}
BENCHMARK(BM_LoadRuleDb)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
