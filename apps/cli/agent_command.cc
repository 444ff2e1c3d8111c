// `phaseout agent enrol|run` and the delivery half of `phaseout scan --push`: wiring of the
// agent library (src/agent) to the command line. Scans run as a child `phaseout scan` so the
// agent uses the very scanner, scope rules, exclusions and rate limits of the scan command.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/config.h"
#include "agent/delivery.h"
#include "agent/enrol.h"
#include "agent/messages.h"
#include "agent/scan_spool.h"
#include "agent/schedule.h"
#include "agent/spool.h"
#include "agent/transport.h"
#include "apps/cli/agent_cli.h"
#include "apps/cli/commands.h"

namespace phaseout::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};
extern "C" void OnAgentSignal(int) { g_stop.store(true); }

int Fail(const char* cmd, int code, const std::string& message) {
  std::fprintf(stderr, "phaseout %s: %s\n", cmd, message.c_str());
  return code;
}

int CodeFor(const Error& e) {
  return (e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound) ? kExitUsage : kExitRuntime;
}

// Where an agent keeps its files when nothing is named: $STATE_DIRECTORY (systemd), else
// /var/lib/phaseout-agent for root, else $XDG_STATE_HOME/phaseout-agent or
// ~/.local/state/phaseout-agent.
std::string DefaultStateDir() {
  if (const char* s = std::getenv("STATE_DIRECTORY"); s != nullptr && *s != '\0') {
    std::string first(s);
    return first.substr(0, first.find(':'));
  }
  if (geteuid() == 0) return "/var/lib/phaseout-agent";
  if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x != '\0') return std::string(x) + "/phaseout-agent";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/state/phaseout-agent";
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "phaseout-agent";
  return buf;
}

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create folder '" + dir + "': " + ec.message());
  return Status::Ok();
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return MakeError(ErrorCode::kIo, "cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeError(ErrorCode::kIo, "cannot write '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}


// Flags of `phaseout agent run`.
struct RunFlags {
  std::string config, data_dir;
  std::string oui_dir;
  bool oui_given = false;  // else the scanner's default registry
  bool once = false;
};

// Runs `phaseout scan` as a child for one scheduled scan, writing NDJSON to `out_path`.
// Returns true iff the child wrote results (exit 0, 3 findings or 4 incomplete).
bool RunScanChild(const agent::ScheduledScan& scan, const agent::AgentConfig& config, const std::string& scan_key,
                  const std::string& out_path, const RunFlags& flags, std::string* why) {
  std::vector<std::string> args = {"phaseout", "scan"};
  for (const auto& t : scan.targets) args.push_back(t);
  for (const auto& x : config.exclude) args.insert(args.end(), {"--exclude", x});
  if (!scan.ports.empty()) args.insert(args.end(), {"--ports", scan.ports});
  args.insert(args.end(), {"--rate", fmt::format("{}", config.rate), "--format", "ndjson", "-o", out_path,
                           "--scan-id", scan_key, "--no-progress", "--quiet"});
  if (!flags.data_dir.empty()) args.insert(args.end(), {"--data-dir", flags.data_dir});
  if (flags.oui_given) args.insert(args.end(), {"--oui-dir", flags.oui_dir});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    *why = std::string("cannot start the scanner: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    execv("/proc/self/exe", argv.data());
    std::fprintf(stderr, "phaseout agent: cannot run the scanner: %s\n", std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) {
    *why = "the scanner was killed";
    return false;
  }
  int rc = WEXITSTATUS(status);
  if (rc == kExitOk || rc == kExitFindings || rc == kExitIncomplete) return true;
  *why = fmt::format("the scanner failed (exit {}; its message is above)", rc);
  return false;
}

// Everything a delivery needs, opened from a config (or a push request).
struct Delivery {
  agent::AgentKey key;
  std::unique_ptr<agent::Spool> spool;
  std::unique_ptr<agent::HttpTransport> transport;
  agent::DeliveryOptions options;
};

Result<Delivery> OpenDelivery(const std::string& server, const std::string& pin, const std::string& key_file,
                              const std::string& spool_dir, const agent::AgentConfig* config) {
  auto url = agent::ParseServerUrl(server);
  if (!url) return url.error();
  auto key = agent::ReadAgentKey(key_file);
  if (!key) return key.error();
  if (url->tls && pin.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no pinned certificate for " + server + ": enrol first (phaseout agent enrol)");
  }
  auto spool = agent::Spool::Open(spool_dir);
  if (!spool) return spool.error();
  agent::HttpTransportOptions to;
  to.url = *url;
  to.bearer_key = key->key;
  to.pinned_sha256 = pin;
  auto transport = agent::MakeHttpTransport(to);
  if (!transport) return transport.error();
  Delivery d;
  d.key = std::move(*key);
  d.spool = std::make_unique<agent::Spool>(std::move(*spool));
  d.transport = std::move(*transport);
  if (config != nullptr) {
    d.options.backoff = config->backoff;
    d.options.give_up_after_s = config->give_up_after_s;
  }
  d.options.log = [](const std::string& line) { std::fprintf(stderr, "phaseout agent: %s\n", line.c_str()); };
  d.options.sleep = [](uint32_t ms) {
    // Sleeps in short steps so SIGTERM ends the wait promptly (the spool keeps everything).
    for (uint32_t left = ms; left > 0 && !g_stop.load();) {
      uint32_t step = std::min<uint32_t>(left, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(step));
      left -= step;
    }
  };
  return d;
}

// Delivers the spool; prints the outcome. Returns kExitOk iff the spool is empty afterwards.
int Deliver(const char* cmd, Delivery& d) {
  auto r = agent::DeliverSpool(*d.spool, *d.transport, d.options);
  if (!r) return Fail(cmd, kExitRuntime, r.error().message);
  if (r->delivered + r->rejected > 0) {
    std::fprintf(stderr,
                 "phaseout %s: delivered %zu spool entries (%llu records stored, %llu already there), %zu rejected, "
                 "%zu retries\n",
                 cmd, r->delivered, static_cast<unsigned long long>(r->stored),
                 static_cast<unsigned long long>(r->duplicates), r->rejected, r->retries);
  }
  if (r->rejected > 0) {
    std::fprintf(stderr, "phaseout %s: rejected entries and their reasons are in '%s/rejected'\n", cmd,
                 d.spool->dir().c_str());
  }
  if (r->end == agent::DeliveryEnd::kEmpty) return kExitOk;
  return Fail(cmd, kExitRuntime, r->message);
}

// ---- enrol ----

struct EnrolFlags {
  std::string server, secret, ca, config, name, fingerprint;
};

int RunEnrol(EnrolFlags f) {
  const char* cmd = "agent enrol";
  std::string config_path = f.config.empty() ? DefaultStateDir() + "/agent.yaml" : f.config;
  std::string dir = fs::path(config_path).parent_path().string();
  if (dir.empty()) dir = ".";
  agent::AgentConfig config;
  bool existing = fs::exists(config_path);
  if (existing) {
    // Re-enrolment (revoked key, replaced certificate): keep the schedule and scan settings.
    auto old = agent::LoadAgentConfig(config_path);
    if (!old) return Fail(cmd, kExitUsage, old.error().message + " (fix or remove it, then enrol again)");
    config = *old;
  } else {
    config.key_file = dir + "/agent.key";
    config.spool_dir = dir + "/spool";
  }
  if (!f.fingerprint.empty()) {
    std::string fp;
    for (char c : f.fingerprint) {
      if (c != ':') fp += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (fp.size() != 64 || fp.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Fail(cmd, kExitUsage, "--fingerprint must be the SHA-256 of the server certificate (64 hex digits)");
    }
    f.fingerprint = fp;
  }
  agent::EnrolOptions eo{f.server, f.secret, f.name.empty() ? HostName() : f.name, f.ca, f.fingerprint};
  auto key = agent::Enrol(eo);
  if (!key) return Fail(cmd, CodeFor(key.error()), key.error().message);
  if (Status st = MakeDirs(dir); !st.ok()) return Fail(cmd, kExitRuntime, st.error().message);
  if (Status st = agent::WriteAgentKey(*key, config.key_file); !st.ok()) {
    return Fail(cmd, kExitRuntime, st.error().message);
  }
  config.server = f.server;
  config.pinned_sha256 = key->pinned_sha256;
  config.ca_file = f.ca;
  config.name = eo.name;
  if (Status st = WriteTextFile(config_path, agent::FormatAgentConfig(config)); !st.ok()) {
    return Fail(cmd, kExitRuntime, st.error().message);
  }
  std::string sites;
  for (const auto& s : key->sites) sites += (sites.empty() ? "" : ", ") + s;
  std::printf("enrolled as agent %s for sites: %s\nkey: %s (mode 0600)\nconfig: %s\n", key->agent_id.c_str(),
              sites.empty() ? "(none yet)" : sites.c_str(), config.key_file.c_str(), config_path.c_str());
  if (!key->pinned_sha256.empty()) {
    std::printf("pinned server certificate SHA-256: %s\n", key->pinned_sha256.c_str());
    if (f.ca.empty() && f.fingerprint.empty()) {
      std::printf("(no --ca or --fingerprint given: compare this with the server's certificate, e.g. "
                  "`openssl x509 -in cert.pem -noout -fingerprint -sha256` on the server)\n");
    }
  }
  return kExitOk;
}

// ---- run ----

// The scans to run now: the server's schedule, or the local one when the server's cannot be
// fetched (or the config says local). Sets *stop_code when the key was refused.
std::vector<agent::ScheduledScan> CurrentSchedule(Delivery& d, const agent::AgentConfig& config, int* stop_code) {
  const char* cmd = "agent run";
  if (!config.server_schedule) return config.local_schedule;
  auto res = d.transport->Send("GET", "/api/v1/agents/schedule", "", "");
  if (!res) {
    if (res.error().code == ErrorCode::kInvalidArgument) {
      *stop_code = Fail(cmd, kExitRuntime, res.error().message);
      return {};
    }
    std::fprintf(stderr, "phaseout agent run: cannot fetch the schedule (%s); using the local schedule (%zu scans)\n",
                 res.error().message.c_str(), config.local_schedule.size());
    return config.local_schedule;
  }
  if (res->status == 401 || res->status == 403) {
    *stop_code = Fail(cmd, kExitRuntime,
                      fmt::format("the server refused this agent's key (HTTP {}: {}): it was revoked or has "
                                  "expired. Ask an administrator for a new enrolment secret and run phaseout agent "
                                  "enrol again; spooled results are kept",
                                  res->status, agent::DescribeErrorBody(res->body)));
    return {};
  }
  if (res->status != 200) {
    std::fprintf(stderr, "phaseout agent run: the schedule request failed (HTTP %d: %s); using the local schedule\n",
                 res->status, agent::DescribeErrorBody(res->body).c_str());
    return config.local_schedule;
  }
  auto scans = agent::ParseScheduleResponse(res->body);
  if (!scans) {
    std::fprintf(stderr, "phaseout agent run: %s; using the local schedule\n", scans.error().message.c_str());
    return config.local_schedule;
  }
  return *scans;
}

std::string NewScanKey(const std::string& site) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", buf, site, rd());
}

int RunAgent(const RunFlags& f) {
  const char* cmd = "agent run";
  auto config = agent::LoadAgentConfig(f.config);
  if (!config) return Fail(cmd, CodeFor(config.error()), config.error().message);
  auto opened = OpenDelivery(config->server, config->pinned_sha256, config->key_file, config->spool_dir, &*config);
  if (!opened) return Fail(cmd, CodeFor(opened.error()), opened.error().message);
  Delivery& d = *opened;
  if (d.spool->stale_temporaries_removed() > 0) {
    std::fprintf(stderr, "phaseout agent run: removed %zu half-written spool files of an interrupted run\n",
                 d.spool->stale_temporaries_removed());
  }
  std::string work = config->spool_dir + "/work";
  std::error_code ec;
  fs::remove_all(work, ec);  // output of a scan interrupted before it was spooled
  if (Status st = MakeDirs(work); !st.ok()) return Fail(cmd, kExitRuntime, st.error().message);
  agent::RunRecord runs = agent::RunRecord::Load(config->spool_dir + "/runs.tsv");

  struct sigaction sa {};
  sa.sa_handler = OnAgentSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  int last = kExitOk;
  while (!g_stop.load()) {
    // Whatever an earlier run left is sent first, in order.
    last = Deliver(cmd, d);
    auto names = d.spool->List();
    if (last != kExitOk && names && !names->empty()) {
      // A refused key or certificate will not fix itself: stop (the service manager shows it).
      auto probe = d.transport->Send("GET", "/api/v1/agents/schedule", "", "");
      if ((probe && probe->status == 401) || (!probe && probe.error().code == ErrorCode::kInvalidArgument)) return last;
    }
    int stop_code = kExitOk;
    std::vector<agent::ScheduledScan> schedule = CurrentSchedule(d, *config, &stop_code);
    if (stop_code != kExitOk) return stop_code;
    std::time_t now = std::time(nullptr);
    for (const auto& scan : schedule) {
      if (g_stop.load()) break;
      if (!runs.Due(scan, now) && !f.once) continue;
      if (Status ok = agent::CheckScheduledScan(scan, d.key.sites, config->allowed); !ok.ok()) {
        std::fprintf(stderr, "phaseout agent run: %s\n", ok.error().message.c_str());
        last = kExitRuntime;
        continue;
      }
      std::string scan_key = NewScanKey(scan.site);
      std::string out = work + "/" + scan_key + ".ndjson";
      std::fprintf(stderr, "phaseout agent run: scanning site %s (%zu targets), scan %s\n", scan.site.c_str(),
                   scan.targets.size(), scan_key.c_str());
      if (Status st = runs.MarkStarted(scan, std::time(nullptr)); !st.ok()) {
        std::fprintf(stderr, "phaseout agent run: %s\n", st.error().message.c_str());
      }
      std::string why;
      if (!RunScanChild(scan, *config, scan_key, out, f, &why)) {
        std::fprintf(stderr, "phaseout agent run: scan of site %s failed: %s\n", scan.site.c_str(), why.c_str());
        last = kExitRuntime;
        fs::remove(out, ec);
        continue;
      }
      agent::ScanSpoolOptions so;
      so.site = scan.site;
      so.scope = scan.targets;
      so.source = "agent";
      auto spooled = agent::SpoolScanFile(*d.spool, out, so);
      if (!spooled) return Fail(cmd, kExitRuntime, spooled.error().message);
      fs::remove(out, ec);
      std::fprintf(stderr, "phaseout agent run: spooled scan %s: %llu records in %zu chunks%s\n",
                   spooled->scan_key.c_str(), static_cast<unsigned long long>(spooled->records), spooled->chunks,
                   spooled->complete ? "" : " (incomplete scan)");
      last = Deliver(cmd, d);
    }
    if (f.once) break;
    // Wake for the next due scan, and at least every 5 minutes to retry the spool and
    // refresh the schedule.
    uint32_t wait_s = std::min<uint32_t>(runs.SecondsUntilNext(schedule, std::time(nullptr)), 300);
    if (wait_s == 0) wait_s = 300;
    for (uint32_t i = 0; i < wait_s * 5 && !g_stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

// ---- push ----

struct PushFlags {
  std::string config, site, file;
  std::vector<std::string> scope;
  size_t chunk_lines = 5000;
};

// Delivers the spool of a config; with FILE, spools that scan output first.
int RunPush(const PushFlags& f) {
  const char* cmd = "agent push";
  auto config = agent::LoadAgentConfig(f.config);
  if (!config) return Fail(cmd, CodeFor(config.error()), config.error().message);
  if (!f.file.empty() && f.site.empty()) return Fail(cmd, kExitUsage, "pushing a file needs --site SITE");
  auto opened = OpenDelivery(config->server, config->pinned_sha256, config->key_file, config->spool_dir, &*config);
  if (!opened) return Fail(cmd, CodeFor(opened.error()), opened.error().message);
  Delivery& d = *opened;
  if (!f.file.empty()) {
    if (!d.key.sites.empty() && std::find(d.key.sites.begin(), d.key.sites.end(), f.site) == d.key.sites.end()) {
      return Fail(cmd, kExitUsage, "this agent key is not bound to site '" + f.site + "'");
    }
    agent::ScanSpoolOptions so;
    so.site = f.site;
    so.scope = f.scope;
    so.source = "push";
    so.max_lines = f.chunk_lines;
    auto spooled = agent::SpoolScanFile(*d.spool, f.file, so);
    if (!spooled) return Fail(cmd, CodeFor(spooled.error()), spooled.error().message);
    std::fprintf(stderr, "phaseout agent push: spooled scan %s: %llu records in %zu chunks\n", spooled->scan_key.c_str(),
                 static_cast<unsigned long long>(spooled->records), spooled->chunks);
  }
  struct sigaction sa {};
  sa.sa_handler = OnAgentSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  return Deliver(cmd, d);
}

}  // namespace

// ---- scan --push ----

int PreparePush(PushRequest* r) {
  const char* cmd = "scan --push";
  if (r->site.empty()) return Fail(cmd, kExitUsage, "--push needs --site SITE (the site the results belong to)");
  auto url = agent::ParseServerUrl(r->url);
  if (!url) return Fail(cmd, kExitUsage, url.error().message);
  if (r->key_file.empty()) r->key_file = DefaultStateDir() + "/agent.key";
  if (r->spool_dir.empty()) {
    std::string dir = fs::path(r->key_file).parent_path().string();
    r->spool_dir = (dir.empty() ? std::string(".") : dir) + "/spool";
  }
  auto key = agent::ReadAgentKey(r->key_file);
  if (!key) return Fail(cmd, CodeFor(key.error()), key.error().message);
  if (url->tls && key->pinned_sha256.empty()) {
    return Fail(cmd, kExitUsage, "the key file '" + r->key_file + "' pins no server certificate: enrol again");
  }
  if (!key->server.empty() && key->server != r->url) {
    return Fail(cmd, kExitUsage, "the key file '" + r->key_file + "' was issued by " + key->server + ", not " + r->url +
                                     " (enrol with that server, or push to the server that issued the key)");
  }
  if (!key->sites.empty() && std::find(key->sites.begin(), key->sites.end(), r->site) == key->sites.end()) {
    std::string sites;
    for (const auto& s : key->sites) sites += (sites.empty() ? "" : ", ") + s;
    return Fail(cmd, kExitUsage, "this agent key is not bound to site '" + r->site + "' (bound: " + sites + ")");
  }
  if (::mkdir(r->spool_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(cmd, kExitRuntime, "cannot create spool folder '" + r->spool_dir + "': " + std::strerror(errno));
  }
  return kExitOk;
}

int PushScanOutput(const PushRequest& r, const std::string& ndjson_path) {
  const char* cmd = "scan --push";
  auto key = agent::ReadAgentKey(r.key_file);
  if (!key) return Fail(cmd, CodeFor(key.error()), key.error().message);
  auto opened = OpenDelivery(r.url, key->pinned_sha256, r.key_file, r.spool_dir, nullptr);
  if (!opened) return Fail(cmd, CodeFor(opened.error()), opened.error().message);
  agent::ScanSpoolOptions so;
  so.site = r.site;
  so.scope = r.scope;
  so.source = "push";
  auto spooled = agent::SpoolScanFile(*opened->spool, ndjson_path, so);
  if (!spooled) return Fail(cmd, kExitRuntime, spooled.error().message);
  int rc = Deliver(cmd, *opened);
  if (rc == kExitOk) {
    std::fprintf(stderr, "phaseout scan --push: scan %s delivered (%llu records)\n", spooled->scan_key.c_str(),
                 static_cast<unsigned long long>(spooled->records));
  } else {
    std::fprintf(stderr,
                 "phaseout scan --push: the results wait in '%s'; the next scan --push or phaseout agent run sends "
                 "them\n",
                 r.spool_dir.c_str());
  }
  return rc;
}

void AddAgentCommand(CLI::App& app, int* exit_code) {
  auto* agent_cmd = app.add_subcommand("agent", "Site agent: enrol with a phaseout server, run scheduled scans, push results");
  agent_cmd->require_subcommand(1);
  agent_cmd->footer(
      "Results are spooled to disk before delivery and sent with retries; the server stores each record once. "
      "Details: docs/agent.md.");

  auto enrol = std::make_shared<EnrolFlags>();
  auto* e = agent_cmd->add_subcommand("enrol", "Exchange a one-time secret for this agent's key and pin the server certificate");
  e->add_option("--server", enrol->server, "Server URL, https://HOST[:PORT]")->required();
  e->add_option("--secret", enrol->secret, "One-time enrolment secret from an administrator")->required();
  e->add_option("--ca", enrol->ca, "CA certificate file (PEM) the server certificate must verify against");
  e->add_option("--fingerprint", enrol->fingerprint, "SHA-256 the server certificate must have (hex, colons allowed)");
  e->add_option("--config", enrol->config, "Agent config file to write (default: agent.yaml in the state folder)");
  e->add_option("--name", enrol->name, "Name of this agent on the server (default: the host name)");
  e->callback([enrol, exit_code] { *exit_code = RunEnrol(*enrol); });

  auto run = std::make_shared<RunFlags>();
  auto* r = agent_cmd->add_subcommand("run", "Run the scans the server (or the local schedule) names and push the results");
  r->add_option("--config", run->config, "Agent config file (written by agent enrol)")->required();
  r->add_flag("--once", run->once, "Deliver the spool, run every scheduled scan once, deliver, and exit");
  r->add_option("--data-dir", run->data_dir, "phaseout data directory for the scanner");
  auto* oui = r->add_option("--oui-dir", run->oui_dir, "IEEE registry directory for the scanner ('' to disable)");
  r->callback([run, exit_code, oui] {
    run->oui_given = oui->count() > 0;
    *exit_code = RunAgent(*run);
  });

  auto push = std::make_shared<PushFlags>();
  auto* p = agent_cmd->add_subcommand(
      "push", "Send what is spooled; with FILE, first spool that saved `phaseout scan --format ndjson` output");
  p->add_option("--config", push->config, "Agent config file (written by agent enrol)")->required();
  p->add_option("file", push->file, "NDJSON output of phaseout scan (e.g. its --save file)");
  p->add_option("--site", push->site, "Site the scan in FILE belongs to");
  p->add_option("--scope", push->scope, "Address or CIDR block the scan covered (repeatable)");
  p->add_option("--chunk-lines", push->chunk_lines, "NDJSON lines per request (1..5000)")
      ->capture_default_str()->check(CLI::Range(1, 5000));
  p->callback([push, exit_code] { *exit_code = RunPush(*push); });
}

}  // namespace phaseout::cli
