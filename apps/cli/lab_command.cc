// `phaseout lab`: runs the device lab (emulated estate on 127.x addresses inside a private
// network namespace) until SIGINT/SIGTERM or --duration, writing ground truth and a ready file.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "apps/cli/commands.h"
#include "core/strings.h"
#include "net/ports.h"
#include "tools/lab/lab.h"
#include "tools/lab/truth_check.h"

namespace phaseout::cli {
namespace {

struct LabOptions {
  lab::LabSpec spec;
  std::string mix;
  double duration_s = 0;
};

// Parses "id=weight,id=weight" into spec.mix. Returns false with `error` set on bad input.
bool ParseMix(const std::string& text, std::map<std::string, double>* mix, std::string* error) {
  if (text.empty()) return true;
  for (std::string_view item : Split(text, ',')) {
    item = Trim(item);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      *error = "--mix expects id=weight[,id=weight...], got '" + std::string(item) + "'";
      return false;
    }
    const std::string id(Trim(item.substr(0, eq)));
    const std::string weight(Trim(item.substr(eq + 1)));
    char* end = nullptr;
    const double w = std::strtod(weight.c_str(), &end);
    if (weight.empty() || end == nullptr || *end != '\0' || w < 0) {
      *error = "--mix weight for '" + id + "' must be a number >= 0, got '" + weight + "'";
      return false;
    }
    (*mix)[id] = w;
  }
  return true;
}

int RunLab(LabOptions& opts) {
  std::string error;
  if (!ParseMix(opts.mix, &opts.spec.mix, &error)) {
    std::fprintf(stderr, "phaseout lab: %s\n", error.c_str());
    return kExitUsage;
  }
  // Block the stop signals before the serving threads start so only sigtimedwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Result<std::unique_ptr<lab::Lab>> started = lab::Lab::Start(opts.spec);
  if (!started) {
    std::fprintf(stderr, "phaseout lab: %s\n", started.error().message.c_str());
    const ErrorCode code = started.error().code;
    return code == ErrorCode::kInvalidArgument || code == ErrorCode::kNotFound ? kExitUsage : kExitRuntime;
  }
  lab::Lab& lab = **started;
  for (const std::string& w : lab.warnings()) std::fprintf(stderr, "phaseout lab: warning: %s\n", w.c_str());
  std::fprintf(stderr, "phaseout lab: serving %u devices in %s%s; stop with Ctrl-C%s\n", lab.estate().devices,
               opts.spec.base.c_str(), opts.spec.truth_path.empty() ? "" : (", truth in " + opts.spec.truth_path).c_str(),
               opts.duration_s > 0 ? " or after --duration" : "");

  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  const double end_s = static_cast<double>(deadline.tv_sec) + deadline.tv_nsec / 1e9 + opts.duration_s;
  for (;;) {
    timespec wait{1, 0};
    if (opts.duration_s > 0) {
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      const double left = end_s - (static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9);
      if (left <= 0) break;
      if (left < 1) wait = {0, static_cast<long>(left * 1e9)};
    }
    const int sig = sigtimedwait(&stop_signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  lab.Stop();
  std::printf("%s\n", lab.Summary().c_str());
  return kExitOk;
}

struct VerifyOptions {
  std::string truth_path;
  std::string scan_path;
  std::string ports;
};

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

// `phaseout lab verify`: 0 when the scan agrees with the truth, 1 when it does not,
// 2 when a file is missing or malformed.
int RunVerify(const VerifyOptions& opts) {
  std::string truth_text, scan_text;
  for (const auto& [path, text] : {std::pair{&opts.truth_path, &truth_text}, std::pair{&opts.scan_path, &scan_text}}) {
    if (!ReadWholeFile(*path, text)) {
      std::fprintf(stderr, "phaseout lab verify: cannot read '%s'\n", path->c_str());
      return kExitUsage;
    }
  }
  Result<std::vector<lab::TruthEntry>> truth = lab::ParseTruthNdjson(truth_text);
  if (!truth) {
    std::fprintf(stderr, "phaseout lab verify: %s: %s\n", opts.truth_path.c_str(), truth.error().message.c_str());
    return kExitUsage;
  }
  Result<std::vector<lab::ScannedHost>> scanned = lab::ParseScanNdjson(scan_text);
  if (!scanned) {
    std::fprintf(stderr, "phaseout lab verify: %s: %s\n", opts.scan_path.c_str(), scanned.error().message.c_str());
    return kExitUsage;
  }
  std::vector<uint16_t> ports = net::DefaultPorts();
  if (!opts.ports.empty()) {
    auto parsed = net::ParsePorts(opts.ports, /*allow_printer_ports=*/true);
    if (!parsed) {
      std::fprintf(stderr, "phaseout lab verify: %s\n", parsed.error().message.c_str());
      return kExitUsage;
    }
    ports = parsed->ports;
  }
  const lab::TruthCheck check = lab::CompareWithTruth(*truth, *scanned, ports);
  std::printf("%s", lab::FormatTruthCheck(check).c_str());
  return check.Perfect() ? kExitOk : kExitRuntime;
}

}  // namespace

void AddLabCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<LabOptions>();
  auto* cmd = app.add_subcommand(
      "lab",
      "Run the device lab: emulated cameras, recorders and confusable devices on 127.x addresses, "
      "plus refusing, silent and hostile addresses, with ground truth. Runs only inside a private "
      "network namespace: ./scripts/netns-run build/release/phaseout lab --devices 2000 --truth /tmp/truth.ndjson");
  lab::LabSpec& s = opts->spec;
  cmd->add_option("--devices", s.devices, "emulated devices to place in the block")->capture_default_str();
  cmd->add_option("--base", s.base, "address block (inside 127.0.0.0/8)")->capture_default_str();
  cmd->add_option("--seed", s.seed, "seed: the same seed gives the same estate")->capture_default_str();
  cmd->add_option("--profiles-dir", s.profiles_dir, "profile directory (default: <data dir>/lab/profiles)");
  cmd->add_option("--mix", opts->mix, "use only these profiles with these weights, e.g. hikvision-nvr-dnvrs=5,nginx-server=1 "
                  "(default: every profile with its file's weight)");
  cmd->add_option("--truth", s.truth_path, "write the ground truth (NDJSON, one address a line) here");
  cmd->add_option("--ready-file", s.ready_path, "write this file once every socket is bound");
  cmd->add_option("--silent-fraction", s.silent_fraction,
                  "share of non-device addresses that drop packets (needs nft)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--refuse-fraction", s.refuse_fraction,
                  "share of the other non-device, non-silent addresses listed as 'refuse' in the truth "
                  "(every unbound address RSTs)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--latency-ms", s.latency_ms, "delay before every reply and banner")->capture_default_str();
  cmd->add_option("--hostile", s.hostile, "hostile hosts (endless headers, huge body, garbage bytes) on port 80")
      ->capture_default_str();
  cmd->add_option("--duration", opts->duration_s, "stop after this many seconds (default: until SIGINT/SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", s.threads, "event loops (default: one per core)");
  cmd->add_option("--idle-timeout-ms", s.idle_timeout_ms, "close connections idle this long")->capture_default_str();
  auto verify_opts = std::make_shared<VerifyOptions>();
  auto* verify = cmd->add_subcommand(
      "verify", "Compare a scan's NDJSON output with the lab's ground truth (exit 0 agree, 1 disagree, 2 bad input)");
  verify->add_option("--truth", verify_opts->truth_path, "ground truth written by `phaseout lab --truth`")->required();
  verify->add_option("--scan", verify_opts->scan_path, "NDJSON written by `phaseout scan`")->required();
  verify->add_option("--ports", verify_opts->ports,
                     "ports the scan tried (default: the scan's default ports)");
  verify->callback([verify_opts, exit_code] { *exit_code = RunVerify(*verify_opts); });
  cmd->callback([opts, exit_code, verify] {
    if (verify->parsed()) return;  // `lab verify` ran instead of the lab
    *exit_code = RunLab(*opts);
  });
}

}  // namespace phaseout::cli
