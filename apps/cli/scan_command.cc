// `phaseout scan`: wires targets, the scan engine, fingerprint rules, policies and the report
// writers together. Wiring only: every decision lives in the library modules.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "apps/cli/agent_cli.h"
#include "apps/cli/cli_support.h"
#include "apps/cli/commands.h"
#include "core/utc_time.h"
#include "apps/cli/inventory_cli.h"
#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "engine/scanner.h"
#include "fingerprint/oui_registry.h"
#include "net/ip_address.h"
#include "net/ports.h"
#include "net/target_set.h"
#include "policy/policy_set.h"
#include "report/scan_order.h"
#include "report/scan_summary.h"
#include "report/scan_writers.h"

namespace phaseout::cli {
namespace {

// Scopes larger than this many addresses (a /16) need --large-scope: the user is shown the
// address count and the estimated duration first (README, "Scope guard").
constexpr uint64_t kLargeScopeAddresses = 65536;
// Reports held in memory before the address-order sort spills to a temporary file.
constexpr size_t kSortMemoryBudget = size_t{64} << 20;

struct ScanFlags {
  // Scope.
  std::vector<std::string> targets;
  std::vector<std::string> target_files;
  std::vector<std::string> excludes;
  std::vector<std::string> exclude_files;
  bool large_scope = false;
  // Ports.
  std::string ports;
  bool ports_given = false;  // set from the option's count: `--ports ''` is an error, not "default"
  bool allow_printer_ports = false;
  engine::ScanOptions options;  // the engine's documented defaults, overridden by flags
  engine::DiscoveryFlags discovery;  // --discover, --interface, --no-udp, --snmp-community
  // Verdicts.
  std::vector<std::string> policies;
  std::string fail_on = "prohibited";
  // Output.
  std::string format;
  std::string output;
  std::string save;
  std::string data_dir;
  std::string oui_dir = "/usr/share/ieee-data";
  bool no_progress = false;
  bool quiet = false;
  // Inventory recording (phaseout scan --site S --db ...): see apps/cli/inventory_cli.h.
  std::string site, db, scan_id, events;
  // Delivery to a server (phaseout scan --site S --push URL): see apps/cli/agent_cli.h.
  std::string push, push_key, push_spool;
};

std::atomic<engine::Scanner*> g_running_scanner{nullptr};
std::atomic<int> g_signal{0};

extern "C" void OnInterrupt(int sig) {
  g_signal.store(sig);
  if (engine::Scanner* s = g_running_scanner.load()) s->Stop();
}

// "20261126T060000Z-3f9a1c2e": sortable by start time, unique across concurrent runs.
std::string NewScanId() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  return fmt::format("{}-{:08x}", buf, rd());
}

std::string FormatDuration(double seconds) {
  if (seconds < 0 || seconds > 360000) return "--:--";
  auto s = static_cast<uint64_t>(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// A duration estimate a person can read: "4:33", "2:16:32", "about 12 days", "about 9 years".
std::string FormatEstimate(double seconds) {
  if (seconds <= 360000) return FormatDuration(seconds);
  double days = seconds / 86400;
  if (days < 730) return fmt::format("about {:.0f} days", days);
  return fmt::format("about {:.0f} years", days / 365);
}

// Connection attempts are capped by --rate, so a scan takes at least this long.
double EstimateSeconds(uint64_t addresses, size_t ports, double rate) {
  return rate > 0 ? static_cast<double>(addresses) * static_cast<double>(ports) / rate : 0;
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

// Validators run on the flag's text before CLI11 converts it, so the message can say what is
// wrong in words ("not a number") instead of "could not be converted".
CLI::Validator NumberFlag(double min, double max, bool whole, const char* unit) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        errno = 0;
        double v = std::strtod(begin, &end);
        bool ok = !text.empty() && end != begin && *end == '\0' && errno == 0 && std::isfinite(v);
        if (!ok || (whole && v != static_cast<double>(static_cast<long long>(v)))) {
          return "'" + text + "' is not a " + (whole ? "whole number" : "number") + " (" + unit + ")";
        }
        if (min > 0 && v <= 0) return text + " must be more than 0 (" + unit + ")";
        if (v < min || v > max) {
          return fmt::format("{} is outside {}..{} ({})", text, min, max, unit);
        }
        return std::string();
      },
      whole ? "INT" : "NUMBER");
}

// Opens `path` for writing before the scan starts, so a bad path costs no scan time.
int OpenOutput(const std::string& path, const char* what, std::ofstream* out) {
  errno = 0;
  out->open(path, std::ios::binary | std::ios::trunc);
  if (!*out) {
    std::string why = errno != 0 ? std::strerror(errno) : std::string("cannot open");
    return Fail(kExitUsage, fmt::format("cannot write {} '{}': {}", what, path, why));
  }
  return kExitOk;
}

// Sort key for address order: family byte (IPv4 first) then the 16-byte big-endian value.
std::string AddressKey(const std::string& ip) {
  std::string key(17, '\0');
  auto addr = net::IpAddress::Parse(ip);
  if (!addr) return std::string(1, '\xff') + ip;  // cannot happen for engine output; sorts last
  key[0] = addr->is_v6() ? 1 : 0;
  net::Uint128 v = addr->value();
  for (int i = 16; i >= 1; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(static_cast<unsigned>(v & 0xff));
    v >>= 8;
  }
  return key;
}

std::optional<model::VerdictStatus> ParseFailOn(const std::string& text) {
  if (text == "prohibited") return model::VerdictStatus::kProhibited;
  if (text == "review") return model::VerdictStatus::kReview;
  if (text == "unknown") return model::VerdictStatus::kUnknown;
  return std::nullopt;
}

const char* SignalName(int sig) {
  if (sig == SIGINT) return "SIGINT";
  if (sig == SIGTERM) return "SIGTERM";
  return sig != 0 ? "signal" : "stop";
}

report::ScanCoverage CoverageOf(const engine::ScanStats& st, int signal) {
  report::ScanCoverage c;
  c.addresses_total = st.targets_total;
  c.addresses_finished = st.targets_done;
  c.addresses_not_covered = st.addresses_not_covered;
  c.ports_not_covered = st.ports_not_covered;
  c.connections_attempted = st.connections_attempted;
  c.connections_answered = st.connections_open + st.connections_refused;
  c.connect_timeouts = st.connect_timeouts;
  c.host_unreachable = st.host_unreachable;
  if (st.stopped) c.interrupted_by = SignalName(signal);
  c.not_covered_sample = st.not_covered_sample;
  c.errors_by_kind = st.errors_by_kind;
  return c;
}

report::ScanDiscovery DiscoveryOf(const engine::ScanStats& st) {
  report::ScanDiscovery d;
  const engine::DiscoveryStats& u = st.udp;
  d.ran = u.datagrams_sent + u.send_errors + u.replies > 0;
  d.datagrams_sent = u.datagrams_sent;
  d.send_errors = u.send_errors;
  d.replies = u.replies;
  d.replies_out_of_scope = u.replies_out_of_scope;
  d.replies_truncated = u.replies_truncated;
  d.replies_capped = u.replies_dropped;
  d.replies_late = u.replies_late;
  d.elapsed_ms = static_cast<uint64_t>(st.udp_elapsed.count());
  return d;
}

// Targets: the cheapest mistakes to report, and the scope guard.
Result<std::unique_ptr<net::TargetSet>> ResolveScope(const ScanFlags& f, size_t port_count) {
  std::vector<std::string> specs = f.targets;
  for (const auto& file : f.target_files) specs.push_back("@" + file);
  std::vector<std::string> excludes = f.excludes;
  for (const auto& file : f.exclude_files) excludes.push_back("@" + file);
  if (specs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no targets given: name addresses, CIDR blocks or ranges, or --targets-file "
                     "(phaseout never scans anything it was not explicitly given)");
  }
  auto targets = net::TargetSet::Parse(specs, excludes);
  if (!targets) return targets.error();
  if ((*targets)->Count() == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "nothing to scan: every target address is excluded (by --exclude/--exclude-file "
                     "or the built-in blocklist of multicast and reserved blocks)");
  }
  const uint64_t count = (*targets)->Count();
  if (count > kLargeScopeAddresses && !f.large_scope) {
    bool whole_space = count >= (uint64_t{1} << 31);
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("the scope is {} addresses, more than a /16 ({}){}: at --rate {} x {} ports that "
                    "is at least {} of connection attempts. Check the targets and exclusions; if this "
                    "is really meant, add --large-scope",
                    count, kLargeScopeAddresses,
                    whole_space ? " (that is most of the IPv4 Internet, e.g. 0.0.0.0/0)" : "", f.options.rate,
                    port_count, FormatEstimate(EstimateSeconds(count, port_count, f.options.rate))));
  }
  return std::move(*targets);
}

int RunScan(const ScanFlags& f) {
  engine::ScanOptions options = f.options;
  if (f.ports_given) {
    auto ports = net::ParsePorts(f.ports, f.allow_printer_ports);
    if (!ports) return Fail(kExitUsage, ports.error().message);
    for (const auto& w : ports->warnings) std::fprintf(stderr, "phaseout scan: warning: %s\n", w.c_str());
    options.ports = ports->ports;
  }
  if (Status st = engine::ApplyDiscoveryFlags(f.discovery, &options); !st.ok()) {
    return Fail(kExitUsage, st.error().message);
  }
  auto targets = ResolveScope(f, options.ports.size());
  if (!targets) return Fail(ExitFor(targets.error()), targets.error().message);
  auto fail_on = ParseFailOn(f.fail_on);
  if (!fail_on) return Fail(kExitUsage, "--fail-on must be unknown, review or prohibited");

  // Knowledge: rules, vendors, policies.
  auto knowledge = engine::LoadKnowledge(f.data_dir);
  if (!knowledge) return Fail(kExitUsage, knowledge.error().message);
  const policy::PolicySet& policies = *knowledge->policies;
  auto selected = policies.Select(f.policies);
  if (!selected) return Fail(kExitUsage, selected.error().message);

  std::optional<fingerprint::OuiRegistry> oui = LoadOuiOrWarn(f.oui_dir, f.quiet, "phaseout scan");
  engine::Classifier classifier(knowledge->rules, policies, *selected, oui ? &*oui : nullptr);

  // Output: opened before scanning so a bad path costs no scan time.
  bool stdout_tty = f.output.empty() && isatty(STDOUT_FILENO);
  std::string format_name = f.format.empty() ? (stdout_tty ? "table" : "ndjson") : f.format;
  auto format = report::ParseScanFormat(format_name);
  if (!format) return Fail(kExitUsage, format.error().message);
  if (!f.output.empty() && f.output == f.save) {
    return Fail(kExitUsage, "--output and --save name the same file '" + f.output + "'");
  }
  std::ofstream out_file;
  if (!f.output.empty()) {
    if (int rc = OpenOutput(f.output, "output", &out_file); rc != kExitOk) return rc;
  }
  std::ostream& out = f.output.empty() ? std::cout : out_file;
  std::ofstream save_file;
  if (!f.save.empty()) {
    if (int rc = OpenOutput(f.save, "--save file", &save_file); rc != kExitOk) return rc;
  }

  report::ScanInfo info;
  info.tool_version = PHASEOUT_VERSION;
  info.started_at = UtcNowIso8601();
  info.scan_id = f.scan_id.empty() ? NewScanId() : f.scan_id;
  info.ruleset_version = knowledge->ruleset_version;
  info.targets = f.targets;
  for (const auto& file : f.target_files) info.targets.push_back("@" + file);
  info.ports = options.ports;
  std::vector<std::string> policy_ids;
  for (const policy::Policy* p : *selected) {
    info.policies.push_back({p->id, p->title});
    policy_ids.push_back(p->id);
  }
  report::ScanSummary summary(policy_ids);
  std::unique_ptr<ScanRecorder> recorder;
  if (!f.site.empty() && f.push.empty()) {
    auto r = ScanRecorder::Start(f.db, f.site, info.scan_id, f.targets, info.started_at,
                                 info.ruleset_version);
    if (!r) return Fail(ExitFor(r.error()), r.error().message);
    recorder = std::move(*r);
  }

  engine::Scanner scanner(options);
  std::mutex out_mu;
  report::ReportSorter sorter(kSortMemoryBudget);
  Status sort_status = Status::Ok();
  std::atomic<uint64_t> identified{0};
  bool show_progress = !f.no_progress && !f.quiet && isatty(STDERR_FILENO);
  const uint64_t address_count = (*targets)->Count();
  if (!f.quiet) {
    std::fprintf(stderr,
                 "phaseout scan: %llu addresses x %zu ports, rate %.0f/s (at least %s), scan %s, "
                 "rules %s, policies:",
                 static_cast<unsigned long long>(address_count), options.ports.size(), options.rate,
                 FormatEstimate(EstimateSeconds(address_count, options.ports.size(), options.rate)).c_str(),
                 info.scan_id.c_str(), info.ruleset_version.c_str());
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

  g_signal.store(0);
  g_running_scanner.store(&scanner);
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  // Hosts finish in network order; the sorter puts them in address order for every format.
  Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
    model::DeviceReport report = classifier.Classify(std::move(host));
    if (!report.identification.manufacturer.empty()) identified.fetch_add(1);
    std::string key = AddressKey(report.host.ip);
    std::string seen_at = UtcNowIso8601();
    std::lock_guard<std::mutex> lock(out_mu);
    summary.Add(report);
    if (sort_status.ok()) {
      Status added = sorter.Add(std::move(key), std::move(seen_at), std::move(report));
      if (!added.ok()) {
        sort_status = added;
        scanner.Stop();
      }
    }
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
    PrintProgress(scanner.Snapshot(), identified.load(), true);  // ends the line: rows follow
  }
  if (!st.ok()) return Fail(ExitFor(st.error()), st.error().message);
  if (!sort_status.ok()) return Fail(kExitRuntime, sort_status.error().message);

  engine::ScanStats stats = scanner.Snapshot();
  summary.set_finished_at(UtcNowIso8601());
  summary.set_addresses_scanned(stats.targets_done);
  summary.set_stopped(stats.stopped);
  summary.set_coverage(CoverageOf(stats, g_signal.load()));
  summary.set_discovery(DiscoveryOf(stats));
  info.incomplete_reasons = summary.IncompleteReasons();

  auto writer = report::MakeScanWriter(*format, out);
  std::unique_ptr<report::ScanWriter> save_writer;
  if (!f.save.empty()) save_writer = report::MakeScanWriter(report::ScanFormat::kNdjson, save_file);
  writer->Begin(info);
  if (save_writer) save_writer->Begin(info);
  Status drained = sorter.Drain([&](const model::DeviceReport& r, const std::string& seen_at) {
    writer->Device(r, seen_at);
    if (save_writer) save_writer->Device(r, seen_at);
    if (recorder) recorder->Add(r);
  });
  if (!drained.ok()) return Fail(kExitRuntime, drained.error().message);
  writer->End(summary);
  if (save_writer) save_writer->End(summary);
  out.flush();
  if (!out) return Fail(kExitRuntime, "writing the output failed");
  if (save_writer && !save_file.flush()) return Fail(kExitRuntime, "writing the --save file failed");

  const bool complete = summary.complete();
  if (recorder) {
    // An incomplete scan is stored but never counts as a completed scan for verification.
    if (int rc = recorder->Finish(stats.stopped || !complete, f.quiet, f.events, false); rc != 0) return rc;
  }
  if (!f.quiet && !stdout_tty) {
    std::fprintf(stderr,
                 "phaseout scan: %llu addresses, %llu responsive hosts, %llu identified, %llu "
                 "with a prohibited verdict, %llu to review, %llu unknown\n",
                 static_cast<unsigned long long>(stats.targets_done),
                 static_cast<unsigned long long>(summary.hosts()),
                 static_cast<unsigned long long>(summary.identified()),
                 static_cast<unsigned long long>(summary.hosts_prohibited()),
                 static_cast<unsigned long long>(summary.hosts_review()),
                 static_cast<unsigned long long>(summary.hosts_unknown()));
    if (const report::ScanDiscovery& d = summary.discovery(); d.ran) {
      std::fprintf(stderr,
                   "phaseout scan: UDP discovery: %llu datagrams sent, %llu replies (%llu from outside the "
                   "scope, %llu truncated, %llu dropped over the flood caps, %llu late)\n",
                   static_cast<unsigned long long>(d.datagrams_sent), static_cast<unsigned long long>(d.replies),
                   static_cast<unsigned long long>(d.replies_out_of_scope),
                   static_cast<unsigned long long>(d.replies_truncated),
                   static_cast<unsigned long long>(d.replies_capped), static_cast<unsigned long long>(d.replies_late));
    }
  }
  if (!complete) {
    // Always said, even with --quiet: a partial result must never pass for a whole one.
    std::fprintf(stderr, "phaseout scan: INCOMPLETE: the results are partial:\n");
    for (const auto& r : summary.IncompleteReasons()) std::fprintf(stderr, "  - %s\n", r.c_str());
    for (const auto& [kind, n] : stats.errors_by_kind) {
      std::fprintf(stderr, "  error '%s': %llu connections\n", kind.c_str(), static_cast<unsigned long long>(n));
    }
    for (const auto& a : stats.not_covered_sample) std::fprintf(stderr, "  not reached: %s\n", a.c_str());
    if (stats.addresses_not_covered > stats.not_covered_sample.size()) {
      std::fprintf(stderr, "  (and %llu more addresses not fully reached)\n",
                   static_cast<unsigned long long>(stats.addresses_not_covered - stats.not_covered_sample.size()));
    }
  }
  if (summary.HostsAtOrAbove(*fail_on) > 0) return kExitFindings;
  return complete ? kExitOk : kExitIncomplete;
}

}  // namespace

void AddScanCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScanFlags>();
  auto* cmd = app.add_subcommand(
      "scan",
      "Scan the given networks without credentials and identify restricted-vendor devices");
  cmd->footer(fmt::format(
      "Targets: addresses (127.0.0.1, ::1), CIDR blocks (192.0.2.0/24), ranges "
      "(192.0.2.1-192.0.2.50), @FILE. There are no default targets. Scopes above {} addresses "
      "(a /16) need --large-scope.\n"
      "Default ports: 80,443,554,8000,8080,8443,37777. Printer ports 9100-9107 are never "
      "probed unless --allow-printer-ports.\n"
      "Verdicts: prohibited, review, unknown (nothing identified), clear (identified, not covered).\n"
      "Output is in address order in every format and ends with a completeness trailer.\n"
      "Exit codes: 0 complete, nothing at --fail-on; 3 hosts at or above --fail-on found; "
      "4 incomplete (interrupted, addresses/ports not reached, or nothing answered) and nothing "
      "at --fail-on; 1 runtime error; 2 usage error.",
      kLargeScopeAddresses));

  // Scope.
  cmd->add_option("targets", flags->targets, "Addresses, CIDR blocks, ranges or @file");
  cmd->add_option("-i,--targets-file", flags->target_files, "File of targets, one per line");
  cmd->add_option("-x,--exclude", flags->excludes, "Exclude an address, block or range (repeatable)");
  cmd->add_option("--exclude-file", flags->exclude_files, "File of exclusions, one per line");
  cmd->add_flag("--large-scope", flags->large_scope,
                fmt::format("Allow scopes of more than {} addresses (a /16)", kLargeScopeAddresses));

  // Ports.
  auto* ports = cmd->add_option("-p,--ports", flags->ports, "Ports, e.g. 80,443,8000-8010");
  cmd->add_flag("--allow-printer-ports", flags->allow_printer_ports,
                "Allow probing raw printing ports 9100-9107");

  // Pace and limits.
  cmd->add_option("--rate", flags->options.rate,
                  "Connection attempts per second, all threads together (more than 0; there is no "
                  "unlimited mode)")
      ->capture_default_str()->check(NumberFlag(0.001, 10000000.0, false,
                               "connection attempts per second; there is no unlimited mode"));
  cmd->add_option("--concurrency", flags->options.concurrency, "Connections open at once")
      ->capture_default_str()->check(NumberFlag(1, 1000000, true, "connections"));
  cmd->add_option("--per-host", flags->options.per_host, "Connections open at once to one host")
      ->capture_default_str()->check(NumberFlag(1, 64, true, "connections"));
  cmd->add_option("--connect-timeout", flags->options.connect_timeout_ms, "Connect timeout (ms)")
      ->capture_default_str()->check(NumberFlag(1, 600000, true, "milliseconds"));
  cmd->add_option("--read-timeout", flags->options.read_timeout_ms, "Read timeout per reply (ms)")
      ->capture_default_str()->check(NumberFlag(1, 600000, true, "milliseconds"));
  cmd->add_option("--host-timeout", flags->options.host_timeout_ms, "Total time allowed per host (ms)")
      ->capture_default_str()->check(NumberFlag(1, 3600000, true, "milliseconds"));
  cmd->add_option("--max-bytes", flags->options.max_response_bytes, "Bytes read per reply at most")
      ->capture_default_str()->check(NumberFlag(256, 16777216, true, "bytes"));
  cmd->add_option("--threads", flags->options.threads, "Event-loop threads (0: one per core)")
      ->capture_default_str()->check(NumberFlag(0, 256, true, "threads"));

  // Verdicts.
  cmd->add_option("--policy", flags->policies, "Policy id (repeatable; default: all shipped)");
  cmd->add_option("--fail-on", flags->fail_on,
                  "Exit 3 when a host has a verdict at or above this: prohibited, review, or "
                  "unknown (demands that every responsive host be identified)")
      ->capture_default_str()
      ->check(CLI::IsMember({"unknown", "review", "prohibited"}));

  // Output.
  cmd->add_option("-f,--format", flags->format,
                  "table|json|ndjson|csv (default: table on a terminal, else ndjson)");
  cmd->add_option("-o,--output", flags->output, "Write results to FILE instead of stdout");
  cmd->add_option("--save", flags->save, "Also write NDJSON results to FILE");
  cmd->add_option("--data-dir", flags->data_dir, "phaseout data directory (rules, policies)");
  cmd->add_option("--oui-dir", flags->oui_dir, "IEEE registry directory ('' to disable)")
      ->capture_default_str();
  cmd->add_flag("--discover", flags->discovery.discover,
                "Also multicast discovery (SADP, DHIP, WS-Discovery) on the local segment; replies from "
                "outside the targets are reported as out of scope, never probed");
  cmd->add_option("--interface", flags->discovery.interfaces,
                  "Interface for --discover (repeatable; default: the up ones with a private address)");
  cmd->add_flag("--no-udp", flags->discovery.no_udp, "No UDP discovery probes to the targets");
  cmd->add_option("--snmp-community", flags->discovery.snmp_community,
                  "SNMP v2c community to read sysDescr/sysObjectID/sysName with (never guessed)");
  cmd->add_option("--site", flags->site, "Record the results in the inventory against this site");
  cmd->add_option("--db", flags->db, "Inventory database for --site (default: $PHASEOUT_DB or the per-user file)");
  cmd->add_option("--scan-id", flags->scan_id, "Idempotency key of this scan (default: generated)");
  cmd->add_option("--events", flags->events, "With --site: append raised inventory events to FILE as JSON lines");
  cmd->add_flag("--no-progress", flags->no_progress, "No progress line on stderr");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only results and errors");
  cmd->add_option("--push", flags->push, "With --site: send the results to this phaseout server (docs/agent.md)");
  cmd->add_option("--push-key", flags->push_key, "Agent key file for --push (default: the agent's, from agent enrol)");
  cmd->add_option("--push-spool", flags->push_spool, "Spool folder for --push (default: spool beside the key file)");
  cmd->callback([flags, exit_code, ports] {
    flags->ports_given = ports->count() > 0;
    if (flags->push.empty()) {
      *exit_code = RunScan(*flags);
      return;
    }
    // --push: checked before scanning; the NDJSON results (the --save file, or one in the
    // spool folder) are spooled and delivered after the scan, whatever its findings.
    PushRequest push{flags->push, flags->push_key, flags->push_spool, flags->site, flags->targets};
    if ((*exit_code = PreparePush(&push)) != kExitOk) return;
    std::string saved = flags->save;
    if (saved.empty()) flags->save = push.spool_dir + "/push-" + std::to_string(getpid()) + ".ndjson";
    *exit_code = RunScan(*flags);
    if (*exit_code == kExitOk || *exit_code == kExitFindings || *exit_code == kExitIncomplete) {
      int pushed = PushScanOutput(push, flags->save);
      if (pushed != kExitOk) *exit_code = pushed;
    }
    if (saved.empty()) std::remove(flags->save.c_str());
  });
}

}  // namespace phaseout::cli
