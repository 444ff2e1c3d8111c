// Inventory ingest benchmark: streams N generated `phaseout scan` NDJSON records (realistic
// size: evidence, verdicts) into an inventory in one scan, then rescans part of the estate.
// Reports records/s and peak RSS. Usage:
//   inventory_ingest [--records N] [--db PATH|postgresql://...] [--rescan FRACTION] [--pages RUNS]
//                    [--report RUNS]
// Scenarios (named in the output): "ingest-new" (every record a new device), "ingest-rescan"
// (a second scan of the first FRACTION of the estate: every record matches an existing device,
// then the verification pass over the rest). With --pages, then times device-list pages
// (ListDevicePage: first and deep pages, status/state/overdue filters, text search, site scope).
// With --report RUNS, then times `phaseout report` over every device: loading the snapshot from
// the inventory as `phaseout report --format html` does (server::LoadSnapshot without evidence,
// then LoadDetailEvidence for the devices the HTML details), computing it and rendering the
// HTML report ("report-load", "report-render").
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "inventory/inventory.h"
#include "report/inventory_report.h"
#include "server/snapshot.h"

namespace inv = phaseout::inventory;

namespace {

std::string Record(long i, int scan) {
  char ip[32], mac[32];
  std::snprintf(ip, sizeof(ip), "127.%ld.%ld.%ld", (i >> 16) & 255, (i >> 8) & 255, i & 255);
  std::snprintf(mac, sizeof(mac), "02:00:%02lx:%02lx:%02lx:%02lx", (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255,
                i & 255);
  bool hik = i % 3 != 0;
  return std::string(R"({"ip":")") + ip + R"(","open_ports":[80,443,554],"mac":")" + mac + R"(","manufacturer":)" +
         (hik ? R"("hikvision")" : R"("axis")") + R"(,"brand":null,"device_type":"camera","model":")" +
         (hik ? "DS-2CD2143G2-I" : "P3265-LVE") + R"(","firmware":"V5.7.)" + std::to_string(scan) +
         R"(","serial":null,"confidence":0.95,"evidence":[{"probe":"http","port":80,"field":"http.header.server",)"
         R"("value":"DNVRS-Webs","rule":"hikvision.http.server.dnvrs"},{"probe":"rtsp","port":554,)"
         R"("field":"rtsp.header.server","value":"Hikvision RTSP/1.0","rule":"hikvision.rtsp.server"}],"verdicts":[)"
         R"({"policy":"us-ndaa-889","status":")" +
         (hik ? "prohibited" : "clear") + R"x(","reason":"Hikvision is a covered entity","clause":"889(f)(3)(B)"},)x"
         R"({"policy":"ca-federal-2025","status":")" +
         (hik ? "prohibited" : "clear") + R"(","reason":"Hikvision products","clause":"direction"}],"notes":[]})";
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

bool Ingest(inv::Inventory& db, const std::string& key, long first, long count, int scan, const char* name) {
  inv::ScanMeta meta;
  meta.scan_key = key;
  meta.site = "bench";
  meta.started_at = "2026-12-0" + std::to_string(scan) + "T00:00:00Z";
  auto start = std::chrono::steady_clock::now();
  double cpu_start = CpuSeconds();
  auto ing = db.BeginIngest(meta);
  if (!ing) {
    std::fprintf(stderr, "%s\n", ing.error().message.c_str());
    return false;
  }
  size_t bytes = 0;
  for (long i = first; i < first + count; ++i) {
    std::string line = Record(i, scan);
    bytes += line.size();
    if (auto s = (*ing)->AddLine(line, i - first + 1); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.error().message.c_str());
      return false;
    }
  }
  auto sum = (*ing)->Commit();
  if (!sum) {
    std::fprintf(stderr, "%s\n", sum.error().message.c_str());
    return false;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = CpuSeconds() - cpu_start;
  std::printf("%-14s records=%ld  seconds=%.2f  records/s=%.0f  cpu_s=%.2f  records/cpu_s=%.0f  MB/s=%.1f  "
              "new=%lld matched=%lld missing=%lld  peak_rss_kb=%ld\n",
              name, count, secs, count / secs, cpu, count / cpu, bytes / secs / 1e6, static_cast<long long>(sum->new_devices),
              static_cast<long long>(sum->matched_devices), static_cast<long long>(sum->went_missing), PeakRssKb());
  return true;
}

// Times ListDevicePage (the server's device list) for a few typical pages and filters: the
// median and worst of `runs` calls each.
bool Pages(inv::Inventory& db, int runs) {
  struct Case {
    const char* name;
    inv::DeviceFilter filter;
  };
  std::vector<Case> cases;
  auto add = [&cases](const char* name, auto set) {
    inv::DeviceFilter f;
    f.limit = 50;
    set(f);
    cases.push_back({name, f});
  };
  add("first-page", [](inv::DeviceFilter&) {});
  add("deep-page", [](inv::DeviceFilter& f) { f.offset = 50000; });
  add("status-covered", [](inv::DeviceFilter& f) { f.status = "covered"; });
  add("state-removed", [](inv::DeviceFilter& f) { f.state = "removed"; });
  add("overdue", [](inv::DeviceFilter& f) { f.overdue_only = true; });
  add("text-search", [](inv::DeviceFilter& f) { f.text = "02:00:00:01:86"; });
  add("site-scope", [](inv::DeviceFilter& f) { f.only_sites = std::vector<std::string>{"bench"}; });
  for (auto& c : cases) {
    std::vector<double> ms, cpu_ms;
    int64_t total = 0;
    bool exact = true;
    for (int i = 0; i < runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      double cpu_start = CpuSeconds();
      auto page = db.ListDevicePage(c.filter);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      cpu_ms.push_back((CpuSeconds() - cpu_start) * 1000);
      if (!page) {
        std::fprintf(stderr, "%s\n", page.error().message.c_str());
        return false;
      }
      total = page->total;
      exact = page->total_exact;
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu_ms.begin(), cpu_ms.end());
    std::printf("page %-15s matches=%-8s median_ms=%.1f  max_ms=%.1f  median_cpu_ms=%.1f\n", c.name,
                (std::to_string(total) + (exact ? "" : "+")).c_str(), ms[ms.size() / 2], ms.back(), cpu_ms[cpu_ms.size() / 2]);
  }
  return true;
}

// Times the full report over every device: load (inventory -> snapshot) and render (counts,
// burn-down, HTML), `runs` times each; prints the median and worst.
bool Report(inv::Inventory& db, int runs) {
  std::vector<double> load_ms, load_cpu_ms, render_ms, render_cpu_ms;
  size_t devices = 0, bytes = 0;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = CpuSeconds();
    // As `phaseout report --format html` loads it: no evidence in bulk, then the evidence of
    // the devices the HTML shows in detail.
    auto snapshot = phaseout::server::LoadSnapshot(db, "us-ndaa-889", "", "", "bench", std::nullopt,
                                                   /*with_evidence=*/false);
    if (!snapshot) {
      std::fprintf(stderr, "%s\n", snapshot.error().message.c_str());
      return false;
    }
    snapshot->policy_id = "us-ndaa-889";
    snapshot->as_of = "2026-12-02";
    auto evidence = phaseout::server::LoadDetailEvidence(db, &*snapshot,
                                                         phaseout::report::DevicesShownInDetail(*snapshot));
    if (!evidence) {
      std::fprintf(stderr, "%s\n", evidence.error().message.c_str());
      return false;
    }
    load_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    load_cpu_ms.push_back((CpuSeconds() - cpu_start) * 1000);
    start = std::chrono::steady_clock::now();
    cpu_start = CpuSeconds();
    std::ostringstream html;
    phaseout::report::WriteInventoryReport(html, *snapshot, phaseout::report::InventoryReportFormat::kHtml);
    render_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    render_cpu_ms.push_back((CpuSeconds() - cpu_start) * 1000);
    devices = snapshot->devices.size();
    bytes = html.str().size();
  }
  auto show = [](const char* name, std::vector<double>& ms, std::vector<double>& cpu, size_t devices, size_t bytes) {
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("%-14s devices=%zu  median_s=%.2f  max_s=%.2f  median_cpu_s=%.2f  html_bytes=%zu  peak_rss_kb=%ld\n",
                name, devices, ms[ms.size() / 2] / 1000, ms.back() / 1000, cpu[cpu.size() / 2] / 1000, bytes,
                PeakRssKb());
  };
  show("report-load", load_ms, load_cpu_ms, devices, bytes);
  show("report-render", render_ms, render_cpu_ms, devices, bytes);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long records = 1000000;
  double rescan = 0.1;
  int page_runs = 0, report_runs = 0;
  std::string db;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--records") records = std::strtol(argv[i + 1], nullptr, 10);
    else if (a == "--db") db = argv[i + 1];
    else if (a == "--rescan") rescan = std::strtod(argv[i + 1], nullptr);
    else if (a == "--pages") page_runs = std::atoi(argv[i + 1]);
    else if (a == "--report") report_runs = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: inventory_ingest [--records N] [--db PATH] [--rescan FRACTION] [--pages RUNS] "
                   "[--report RUNS]\n");
      return 2;
    }
  }
  std::string tmp;
  if (db.empty()) {
    tmp = (std::filesystem::temp_directory_path() / ("phaseout-bench-" + std::to_string(getpid()))).string();
    db = tmp + "/inventory.db";
  }
  auto opened = inv::Inventory::Open(db);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  inv::Inventory& inventory = **opened;
  auto sites = inv::ParseSitesYaml(
      "departments:\n  - id: d\n    sites:\n      - id: bench\n        scopes: [127.0.0.0/8]\n", "bench");
  if (!sites || !inventory.ImportSites(*sites, "bench", "bench").ok()) return 1;
  std::printf("store=%s records=%ld\n", inventory.store().description().c_str(), records);
  bool ok = Ingest(inventory, "scan-1", 0, records, 1, "ingest-new") &&
            Ingest(inventory, "scan-2", 0, static_cast<long>(records * rescan), 2, "ingest-rescan") &&
            (page_runs == 0 || Pages(inventory, page_runs)) && (report_runs == 0 || Report(inventory, report_runs));
  opened->reset();
  if (!tmp.empty()) {
    std::error_code ec;
    auto size = [&ec](const std::string& p) {
      auto n = std::filesystem::file_size(p, ec);
      return ec ? 0.0 : static_cast<double>(n);
    };
    std::printf("database size: %.1f MB\n", (size(db) + size(db + "-wal")) / 1e6);
    std::filesystem::remove_all(tmp, ec);
  }
  return ok ? 0 : 1;
}
