// `phaseout scan`: wires targets, the scan engine, fingerprint rules, policies and the report
// writers together. Wiring only: every decision lives in the library modules.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"
#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "engine/scanner.h"
#include "fingerprint/oui_registry.h"
#include "net/ports.h"
#include "net/target_set.h"
#include "policy/policy_set.h"
#include "report/scan_summary.h"
#include "report/scan_writers.h"

namespace phaseout::cli {
namespace {

struct ScanFlags {
  std::vector<std::string> targets;
  std::vector<std::string> target_files;
  std::vector<std::string> excludes;
  std::vector<std::string> exclude_files;
  std::string ports;
  bool allow_printer_ports = false;
  engine::ScanOptions options;  // the engine's documented defaults, overridden by flags
  std::vector<std::string> policies;
  std::string format;
  std::string output;
  std::string save;
  std::string data_dir;
  std::string oui_dir = "/usr/share/ieee-data";
  bool no_progress = false;
  bool quiet = false;
  // Inventory recording (phaseout scan --site S --db ...): see apps/cli/inventory_cli.h.
  std::string site, db, scan_id, events;
};

std::atomic<engine::Scanner*> g_running_scanner{nullptr};

extern "C" void OnInterrupt(int) {
  if (engine::Scanner* s = g_running_scanner.load()) s->Stop();
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (seconds < 0 || seconds > 360000) return "--:--";
  auto s = static_cast<uint64_t>(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// One progress line on stderr, rewritten in place.
void PrintProgress(const engine::ScanStats& st, uint64_t devices_found, bool final_line) {
  double secs = std::chrono::duration<double>(st.elapsed).count();
  double rate = secs > 0 ? st.connections_attempted / secs : 0;
  double frac = st.targets_total ? static_cast<double>(st.targets_done) / st.targets_total : 0;
  double eta = (frac > 0 && frac < 1) ? secs * (1 - frac) / frac : 0;
  std::string line = fmt::format(
      "\r\x1b[2K[scan] {}/{} addresses ({:.1f}%) | {:.0f} conn/s | {} responsive | {} "
      "identified | {} {}",
      st.targets_done, st.targets_total, frac * 100, rate, st.hosts_responsive, devices_found,
      final_line ? "elapsed" : "ETA", FormatDuration(final_line ? secs : eta));
  std::fputs(line.c_str(), stderr);
  if (final_line) std::fputc('\n', stderr);
  std::fflush(stderr);
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "phaseout scan: %s\n", message.c_str());
  return code;
}

int ExitFor(const Error& e) {
  return (e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound) ? kExitUsage
                                                                                    : kExitRuntime;
}

int RunScan(const ScanFlags& f) {
  // Targets first: the cheapest mistake to report.
  std::vector<std::string> specs = f.targets;
  for (const auto& file : f.target_files) specs.push_back("@" + file);
  std::vector<std::string> excludes = f.excludes;
  for (const auto& file : f.exclude_files) excludes.push_back("@" + file);
  if (specs.empty()) {
    return Fail(kExitUsage,
                "no targets given: name addresses, CIDR blocks or ranges, or --targets-file "
                "(phaseout never scans anything it was not explicitly given)");
  }
  auto targets = net::TargetSet::Parse(specs, excludes);
  if (!targets) return Fail(ExitFor(targets.error()), targets.error().message);
  if ((*targets)->Count() == 0) return Fail(kExitUsage, "every target address is excluded");

  engine::ScanOptions options = f.options;
  if (!f.ports.empty()) {
    auto ports = net::ParsePorts(f.ports, f.allow_printer_ports);
    if (!ports) return Fail(kExitUsage, ports.error().message);
    for (const auto& w : ports->warnings) std::fprintf(stderr, "phaseout scan: warning: %s\n", w.c_str());
    options.ports = ports->ports;
  }

  // Knowledge: rules, vendors, policies.
  auto knowledge = engine::LoadKnowledge(f.data_dir);
  if (!knowledge) return Fail(kExitUsage, knowledge.error().message);
  const policy::PolicySet& policies = *knowledge->policies;
  auto selected = policies.Select(f.policies);
  if (!selected) return Fail(kExitUsage, selected.error().message);

  std::optional<fingerprint::OuiRegistry> oui;
  if (!f.oui_dir.empty()) {
    auto loaded = fingerprint::OuiRegistry::Load(f.oui_dir);
    if (loaded) {
      oui = std::move(*loaded);
    } else if (!f.quiet) {
      std::fprintf(stderr, "phaseout scan: warning: MAC vendors unavailable: %s\n",
                   loaded.error().message.c_str());
    }
  }
  engine::Classifier classifier(knowledge->rules, policies, *selected, oui ? &*oui : nullptr);

  // Output.
  bool stdout_tty = f.output.empty() && isatty(STDOUT_FILENO);
  std::string format_name = f.format.empty() ? (stdout_tty ? "table" : "ndjson") : f.format;
  auto format = report::ParseScanFormat(format_name);
  if (!format) return Fail(kExitUsage, format.error().message);
  std::ofstream out_file;
  if (!f.output.empty()) {
    out_file.open(f.output, std::ios::binary | std::ios::trunc);
    if (!out_file) return Fail(kExitRuntime, "cannot write " + f.output);
  }
  std::ostream& out = f.output.empty() ? std::cout : out_file;
  std::ofstream save_file;
  std::unique_ptr<report::ScanWriter> save_writer;
  if (!f.save.empty()) {
    save_file.open(f.save, std::ios::binary | std::ios::trunc);
    if (!save_file) return Fail(kExitRuntime, "cannot write " + f.save);
    save_writer = report::MakeScanWriter(report::ScanFormat::kNdjson, save_file);
  }

  report::ScanInfo info;
  info.tool_version = PHASEOUT_VERSION;
  info.started_at = NowIso8601();
  info.targets = f.targets;
  for (const auto& file : f.target_files) info.targets.push_back("@" + file);
  info.ports = options.ports;
  std::vector<std::string> policy_ids;
  for (const policy::Policy* p : *selected) {
    info.policies.push_back({p->id, p->title});
    policy_ids.push_back(p->id);
  }
  report::ScanSummary summary(policy_ids);
  auto writer = report::MakeScanWriter(*format, out);
  std::unique_ptr<ScanRecorder> recorder;
  if (!f.site.empty()) {
    auto r = ScanRecorder::Start(f.db, f.site, f.scan_id, f.targets, info.started_at);
    if (!r) return Fail(ExitFor(r.error()), r.error().message);
    recorder = std::move(*r);
  }
  writer->Begin(info);
  if (save_writer) save_writer->Begin(info);

  engine::Scanner scanner(options);
  std::mutex out_mu;
  std::atomic<uint64_t> identified{0};
  bool show_progress = !f.no_progress && !f.quiet && isatty(STDERR_FILENO);
  if (!f.quiet) {
    std::fprintf(stderr, "phaseout scan: %llu addresses x %zu ports, rate %.0f/s, policies:",
                 static_cast<unsigned long long>((*targets)->Count()), options.ports.size(),
                 options.rate);
    for (const auto& id : policy_ids) std::fprintf(stderr, " %s", id.c_str());
    std::fputc('\n', stderr);
  }

  std::mutex progress_mu;
  std::condition_variable progress_cv;
  bool done = false;
  std::thread progress;
  if (show_progress) {
    progress = std::thread([&] {
      std::unique_lock<std::mutex> lock(progress_mu);
      while (!progress_cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; })) {
        PrintProgress(scanner.Snapshot(), identified.load(), false);
      }
    });
  }

  g_running_scanner.store(&scanner);
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
    model::DeviceReport report = classifier.Classify(std::move(host));
    if (!report.identification.manufacturer.empty()) identified.fetch_add(1);
    std::lock_guard<std::mutex> lock(out_mu);
    summary.Add(report);
    writer->Device(report);
    if (save_writer) save_writer->Device(report);
    if (recorder) recorder->Add(report);
  });

  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  g_running_scanner.store(nullptr);
  if (show_progress) {
    {
      std::lock_guard<std::mutex> lock(progress_mu);
      done = true;
    }
    progress_cv.notify_all();
    progress.join();
    PrintProgress(scanner.Snapshot(), identified.load(), true);
  }
  if (!st.ok()) return Fail(ExitFor(st.error()), st.error().message);

  engine::ScanStats stats = scanner.Snapshot();
  summary.set_finished_at(NowIso8601());
  summary.set_addresses_scanned(stats.targets_done);
  summary.set_stopped(stats.stopped);
  writer->End(summary);
  if (save_writer) save_writer->End(summary);
  out.flush();
  if (!out) return Fail(kExitRuntime, "writing the output failed");
  if (recorder) {
    if (int rc = recorder->Finish(stats.stopped, f.quiet, f.events, false); rc != 0) return rc;
  }
  if (!f.quiet && !stdout_tty) {
    std::fprintf(stderr,
                 "phaseout scan: %llu addresses, %llu responsive hosts, %llu identified, %llu "
                 "with a prohibited verdict%s\n",
                 static_cast<unsigned long long>(stats.targets_done),
                 static_cast<unsigned long long>(summary.hosts()),
                 static_cast<unsigned long long>(summary.identified()),
                 static_cast<unsigned long long>(summary.hosts_prohibited()),
                 stats.stopped ? " (stopped early: results are partial)" : "");
  }
  if (stats.resource_errors + stats.network_errors + stats.other_errors > 0 && !f.quiet) {
    std::fprintf(stderr,
                 "phaseout scan: note: %llu resource errors (backed off), %llu network errors, "
                 "%llu other errors\n",
                 static_cast<unsigned long long>(stats.resource_errors),
                 static_cast<unsigned long long>(stats.network_errors),
                 static_cast<unsigned long long>(stats.other_errors));
  }
  return summary.hosts_prohibited() > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void AddScanCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScanFlags>();
  auto* cmd = app.add_subcommand(
      "scan",
      "Scan the given networks without credentials and identify restricted-vendor devices");
  cmd->footer(
      "Targets: addresses (127.0.0.1, ::1), CIDR blocks (10.1.0.0/16), ranges "
      "(10.0.0.1-10.0.0.50), @FILE. There are no default targets.\n"
      "Default ports: 80,443,554,8000,8080,8443,37777. Printer ports 9100-9107 are never "
      "probed unless --allow-printer-ports.\n"
      "Exit codes: 0 no prohibited device, 3 prohibited devices found, 1 runtime error, 2 "
      "usage error.");
  cmd->add_option("targets", flags->targets, "Addresses, CIDR blocks, ranges or @file");
  cmd->add_option("-i,--targets-file", flags->target_files, "File of targets, one per line");
  cmd->add_option("-x,--exclude", flags->excludes, "Exclude an address, block or range (repeatable)");
  cmd->add_option("--exclude-file", flags->exclude_files, "File of exclusions, one per line");
  cmd->add_option("-p,--ports", flags->ports, "Ports, e.g. 80,443,8000-8010");
  cmd->add_flag("--allow-printer-ports", flags->allow_printer_ports,
                "Allow probing raw printing ports 9100-9107");
  cmd->add_option("--rate", flags->options.rate, "Connection attempts per second, all threads together")
      ->capture_default_str()->check(CLI::Range(0.0, 10000000.0));
  cmd->add_option("--concurrency", flags->options.concurrency, "Connections open at once")
      ->capture_default_str()->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--per-host", flags->options.per_host, "Connections open at once to one host")
      ->capture_default_str()->check(CLI::Range(1u, 64u));
  cmd->add_option("--connect-timeout", flags->options.connect_timeout_ms, "Connect timeout (ms)")
      ->capture_default_str()->check(CLI::Range(1u, 600000u));
  cmd->add_option("--read-timeout", flags->options.read_timeout_ms, "Read timeout per reply (ms)")
      ->capture_default_str()->check(CLI::Range(1u, 600000u));
  cmd->add_option("--host-timeout", flags->options.host_timeout_ms, "Total time allowed per host (ms)")
      ->capture_default_str()->check(CLI::Range(1u, 3600000u));
  cmd->add_option("--max-bytes", flags->options.max_response_bytes, "Bytes read per reply at most")
      ->capture_default_str()->check(CLI::Range(256u, 16777216u));
  cmd->add_option("--threads", flags->options.threads, "Event-loop threads (0: one per core)")
      ->capture_default_str()->check(CLI::Range(0u, 256u));
  cmd->add_option("--policy", flags->policies, "Policy id (repeatable; default: all shipped)");
  cmd->add_option("-f,--format", flags->format,
                  "table|json|ndjson|csv (default: table on a terminal, else ndjson)");
  cmd->add_option("-o,--output", flags->output, "Write results to FILE instead of stdout");
  cmd->add_option("--save", flags->save, "Also write NDJSON results to FILE");
  cmd->add_option("--data-dir", flags->data_dir, "phaseout data directory (rules, policies)");
  cmd->add_option("--oui-dir", flags->oui_dir, "IEEE registry directory ('' to disable)")
      ->capture_default_str();
  cmd->add_option("--site", flags->site, "Record the results in the inventory against this site");
  cmd->add_option("--db", flags->db, "Inventory database for --site (default: $PHASEOUT_DB or the per-user file)");
  cmd->add_option("--scan-id", flags->scan_id, "Idempotency key of this scan in the inventory (default: generated)");
  cmd->add_option("--events", flags->events, "With --site: append raised inventory events to FILE as JSON lines");
  cmd->add_flag("--no-progress", flags->no_progress, "No progress line on stderr");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only results and errors");
  cmd->callback([flags, exit_code] { *exit_code = RunScan(*flags); });
}

}  // namespace phaseout::cli
