// `phaseout check`: a one-command answer for a shop, a school or a home. Finds the private
// networks attached to this machine, scans them gently with the normal engine and prints what
// was found in plain words (docs/check.md). Wiring only: the subnet choice lives in
// net/interfaces, the answer in report/check_report, the text in data/check/advice.yaml.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apps/cli/cli_support.h"
#include "apps/cli/commands.h"
#include "core/utc_time.h"
#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "engine/scanner.h"
#include "fingerprint/oui_registry.h"
#include "net/interfaces.h"
#include "net/local_subnets.h"
#include "net/target_set.h"
#include "policy/policy_set.h"
#include "report/check_advice.h"
#include "report/check_report.h"

namespace phaseout::cli {
namespace {

// Safety figures documented in docs/check.md. The rate is the engine's global limit on new
// TCP connection attempts; each attempt is one SYN plus at most one kernel retransmission
// within the connect timeout.
constexpr double kDefaultRate = 100;
constexpr double kMaxRate = 300;
constexpr uint32_t kDefaultMaxSeconds = 110;
// Discovery reply caps (docs/check.md): replies read per address, in all, and distinct
// addresses outside the checked networks recorded; the answer names at most kMaxOutsideListed.
constexpr uint32_t kMaxRepliesPerHost = 16;
constexpr uint32_t kMaxRepliesTotal = 20000;
constexpr uint32_t kMaxOutsideHosts = 256;
constexpr size_t kMaxOutsideListed = 10;

struct CheckFlags {
  std::string policy;
  std::string html;
  std::vector<std::string> subnets;
  double rate = kDefaultRate;
  uint32_t max_seconds = kDefaultMaxSeconds;
  std::string data_dir;
  std::string oui_dir = "/usr/share/ieee-data";
  bool no_progress = false;
  bool quiet = false;
};

std::atomic<engine::Scanner*> g_check_scanner{nullptr};

extern "C" void OnCheckInterrupt(int) {
  if (engine::Scanner* s = g_check_scanner.load()) s->Stop();
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "phaseout check: %s\n", message.c_str());
  return code;
}

int ExitCodeFor(const Error& e) {
  return (e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound) ? kExitUsage
                                                                                    : kExitRuntime;
}

// The interface list: the kernel's, or the testing hook's (127.0.0.0/8 only; docs/check.md).
struct InterfaceSource {
  std::optional<std::string> testing;  // value of the testing hook, if set
  Result<std::vector<net::InterfaceAddress>> List() const {
    if (testing) return net::ParseTestingInterfaces(*testing);
    return net::ListInterfaceAddresses();
  }
};

int RunCheck(const CheckFlags& f) {
  InterfaceSource source;
  if (const char* v = std::getenv(net::kTestingInterfacesEnv); v != nullptr) source.testing = v;

  net::SubnetChoiceOptions choice_options;
  choice_options.loopback_is_private_for_testing = source.testing.has_value();
  for (const auto& s : f.subnets) {
    auto parsed = net::Ipv4Subnet::Parse(s);
    if (!parsed) return Fail(kExitUsage, "--subnet '" + s + "': expected an IPv4 block such as 192.168.1.0/24");
    choice_options.named.push_back(*parsed);
  }
  auto interfaces = source.List();
  if (!interfaces) return Fail(ExitCodeFor(interfaces.error()), interfaces.error().message);
  auto choice = net::ChooseCheckSubnets(*interfaces, choice_options);
  if (!choice) return Fail(kExitUsage, choice.error().message);
  if (choice->subnets.empty()) {
    std::string why;
    for (const auto& s : choice->skipped) why += "\n  " + s;
    return Fail(kExitRuntime,
                "no private network is attached to this machine, so there is nothing to check."
                " phaseout check only looks at private (RFC 1918) networks this machine is"
                " directly connected to; connect to the network to check (cable or Wi-Fi) and run"
                " it again." + (why.empty() ? std::string(" No network interface is up.")
                                            : std::string("\nInterfaces seen:") + why));
  }

  // Knowledge, advice and the policy.
  auto knowledge = engine::LoadKnowledge(f.data_dir);
  if (!knowledge) return Fail(kExitUsage, knowledge.error().message);
  const policy::PolicySet& policies = *knowledge->policies;
  auto advice = report::CheckAdvice::LoadFile(knowledge->data_dir + "/check/advice.yaml", &policies);
  if (!advice) return Fail(kExitUsage, advice.error().message);
  std::string policy_id = f.policy;
  if (policy_id.empty()) {
    std::string locale = report::LocaleFromEnvironment();
    auto by_locale = advice->PolicyForLocale(locale);
    if (!by_locale) {
      std::string known;
      for (const auto& p : policies.policies()) known += "\n  " + p.id + "  " + p.title;
      return Fail(kExitUsage,
                  "choose the policy that applies to you with --policy (your locale '" +
                      (locale.empty() ? std::string("unset") : locale) +
                      "' does not say which one). Shipped policies:" + known);
    }
    policy_id = *by_locale;
  }
  const policy::Policy* chosen = policies.Find(policy_id);
  if (chosen == nullptr) {
    auto err = policies.Select({policy_id});
    return Fail(kExitUsage, err ? "unknown policy '" + policy_id + "'" : err.error().message);
  }
  auto all = policies.Select({});
  if (!all) return Fail(kExitUsage, all.error().message);

  std::optional<fingerprint::OuiRegistry> oui;
  std::vector<std::string> limits;
  if (!f.oui_dir.empty()) {
    auto loaded = fingerprint::OuiRegistry::Load(f.oui_dir);
    if (loaded) {
      oui = std::move(*loaded);
    } else {
      limits.push_back("The IEEE register of network-card makers was not available (" +
                       loaded.error().message + "), so MAC addresses did not help identify devices.");
    }
  }
  engine::Classifier classifier(knowledge->rules, policies, *all, oui ? &*oui : nullptr);

  // Targets: the chosen blocks minus this machine's own addresses and, for blocks with a
  // broadcast address, the network and broadcast addresses.
  std::vector<std::string> specs, excludes;
  report::CheckResult result;
  result.tool_version = PHASEOUT_VERSION;
  result.started_at = UtcNowIso8601();
  result.notes = choice->notes;
  for (const auto& s : choice->subnets) {
    specs.push_back(s.subnet.ToString());
    result.subnets.push_back(s.subnet.ToString() + " on " + s.interface);
    if (s.subnet.prefix <= 30) {
      excludes.push_back(net::Ipv4ToString(s.subnet.first()));
      excludes.push_back(net::Ipv4ToString(s.subnet.last()));
    }
  }
  for (uint32_t own : choice->own_addresses) excludes.push_back(net::Ipv4ToString(own));
  auto targets = net::TargetSet::Parse(specs, excludes);
  if (!targets) return Fail(kExitRuntime, targets.error().message);

  engine::ScanOptions options;
  options.rate = f.rate;
  // Enough connections in flight that the rate, not the cap, bounds the check when absent
  // addresses time out (100/s x 1.5 s connect timeout = 150 in flight).
  options.concurrency = 192;
  options.per_host = 2;
  options.threads = 1;  // a laptop on a shop's network: one event loop is plenty at this rate
  options.host_timeout_ms = 20000;

  // Discovery: the datagram probes go unicast to every target (the scan's UDP pass) and, with a
  // TTL of 1, to each probe's multicast group on the chosen interfaces only. Replies from
  // addresses outside the chosen blocks are kept apart, flagged and never merged.
  std::vector<std::string> multicast_on, no_multicast;
  for (const auto& s : choice->subnets) {
    bool multicast = false;
    for (const auto& itf : *interfaces) {
      multicast = multicast || (itf.name == s.interface && itf.address == s.own_address && itf.multicast);
    }
    if (!multicast) {
      no_multicast.push_back(s.interface);
      continue;
    }
    net::Interface itf;
    itf.name = s.interface;
    itf.address = net::Ipv4ToString(s.own_address);
    itf.prefix_len = s.attached.prefix;
    itf.up = true;
    itf.multicast = true;
    bool already = false;
    for (const auto& m : options.discovery.interfaces) already = already || m.address == itf.address;
    if (already) continue;
    multicast_on.push_back(itf.name);
    options.discovery.interfaces.push_back(std::move(itf));
  }
  options.discovery.max_replies_per_host = kMaxRepliesPerHost;
  options.discovery.max_replies_total = kMaxRepliesTotal;
  options.discovery.max_out_of_scope_hosts = kMaxOutsideHosts;

  uint64_t attempts = (*targets)->Count() * options.ports.size();
  // TCP attempts, one UDP slot per target, the unicast and multicast reply windows.
  double estimate_s = (attempts + (*targets)->Count()) / f.rate + options.connect_timeout_ms / 1000.0 +
                      (options.discovery.wait_ms + (multicast_on.empty() ? 0 : options.discovery.multicast_wait_ms)) / 1000.0;
  if (!f.quiet) {
    std::string where;
    for (const auto& s : result.subnets) where += (where.empty() ? "" : ", ") + s;
    std::fprintf(stderr,
                 "phaseout check: checking %s (%llu addresses, %zu ports each) under %s; at most "
                 "%.0f connection attempts per second, about %.0f s, never more than %u s.\n",
                 where.c_str(), static_cast<unsigned long long>((*targets)->Count()),
                 options.ports.size(), chosen->id.c_str(), f.rate, estimate_s, f.max_seconds);
    for (const auto& n : choice->notes) std::fprintf(stderr, "phaseout check: note: %s\n", n.c_str());
    if (estimate_s > f.max_seconds) {
      std::fprintf(stderr,
                   "phaseout check: warning: this will not finish within %u s; the answer will "
                   "be incomplete (name a smaller block with --subnet, or raise --max-time)\n",
                   f.max_seconds);
    }
  }

  report::CheckResultBuilder builder(policies, *chosen, *advice);
  std::mutex mu;
  engine::Scanner scanner(options);
  std::atomic<uint64_t> seen{0};

  // Watchdog: the time limit and interfaces that disappear stop the scan.
  std::mutex wd_mu;
  std::condition_variable wd_cv;
  bool done = false;
  bool timed_out = false;
  std::vector<std::string> lost;
  bool show_progress = !f.no_progress && !f.quiet && isatty(STDERR_FILENO);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(f.max_seconds);
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(wd_mu);
    while (!wd_cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return done; })) {
      if (std::chrono::steady_clock::now() >= deadline && !timed_out) {
        timed_out = true;
        scanner.Stop();
      }
      auto now = source.List();
      if (now) {
        for (const auto& s : choice->subnets) {
          bool already = false;
          for (const auto& l : lost) already = already || l.rfind(s.interface + " ", 0) == 0;
          if (!already && !net::StillAttached(s, *now)) {
            lost.push_back(s.interface + " (" + s.subnet.ToString() + ")");
            scanner.Stop();
          }
        }
      }
      if (show_progress) {
        engine::ScanStats st = scanner.Snapshot();
        std::fprintf(stderr, "\r\x1b[2K[check] %llu/%llu addresses, %llu devices answered",
                     static_cast<unsigned long long>(st.targets_done),
                     static_cast<unsigned long long>(st.targets_total),
                     static_cast<unsigned long long>(seen.load()));
        std::fflush(stderr);
      }
    }
  });

  g_check_scanner.store(&scanner);
  struct sigaction sa {};
  sa.sa_handler = OnCheckInterrupt;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  std::vector<std::string> outside;  // discovery repliers outside the chosen blocks
  std::vector<std::string> own;      // this machine's addresses (its own mDNS responder answers too)
  for (uint32_t a : choice->own_addresses) own.push_back(net::Ipv4ToString(a));
  Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
    if (host.out_of_scope) {
      // Flagged, never merged, never classified or counted: the check does not leave its blocks.
      // This machine answering its own query is neither a device nor outside: left out.
      if (std::find(own.begin(), own.end(), host.ip) != own.end()) return;
      std::lock_guard<std::mutex> lock(mu);
      outside.push_back(host.ip);
      return;
    }
    model::DeviceReport report = classifier.Classify(std::move(host));
    seen.fetch_add(1);
    std::lock_guard<std::mutex> lock(mu);
    builder.Add(report);
  });

  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  g_check_scanner.store(nullptr);
  {
    std::lock_guard<std::mutex> lock(wd_mu);
    done = true;
  }
  wd_cv.notify_all();
  watchdog.join();
  if (show_progress) std::fputs("\r\x1b[2K", stderr);
  if (!st.ok()) return Fail(ExitCodeFor(st.error()), st.error().message);

  engine::ScanStats stats = scanner.Snapshot();
  result.addresses_checked = stats.targets_done;
  result.finished_at = UtcNowIso8601();

  // What this check could not do, in plain words.
  for (const auto& l : lost) {
    limits.push_back("The network interface " + l + " disappeared during the check (cable "
                     "unplugged, Wi-Fi or VPN lost); the check stopped, so devices may be missing.");
  }
  if (timed_out) {
    limits.push_back("The check reached its time limit of " + std::to_string(f.max_seconds) +
                     " s and stopped; " +
                     std::to_string(stats.targets_total - stats.targets_done) +
                     " addresses were not checked.");
  } else if (stats.stopped && lost.empty()) {
    limits.push_back("The check was interrupted; " +
                     std::to_string(stats.targets_total - stats.targets_done) +
                     " addresses were not checked.");
  }
  if (stats.network_errors > 0) {
    limits.push_back(std::to_string(stats.network_errors) +
                     " connection attempts failed with a network error (unreachable network or "
                     "host), so some devices may be missing.");
  }
  std::string ports;
  for (uint16_t p : options.ports) ports += (ports.empty() ? "" : ", ") + std::to_string(p);
  limits.push_back("Only TCP ports " + ports + " were tried; a device that answers none of them "
                   "is not seen.");
  limits.push_back("This check runs as an ordinary user and uses no raw sockets: ARP and ping "
                   "sweeps, which need administrator rights, are not used.");
  if (options.udp) {
    // The scan's UDP pass (engine/discovery.h): unicast to every address, multicast (TTL 1) on
    // the chosen interfaces.
    std::string where;
    for (const auto& m : multicast_on) where += (where.empty() ? "" : ", ") + m;
    limits.push_back("Discovery requests (Hikvision SADP, Dahua DHIP, ONVIF WS-Discovery, SSDP, mDNS) "
                     "were sent to each address" +
                     (where.empty() ? std::string(".")
                                    : " and to their multicast groups on " + where +
                                          " (time to live 1: they never cross a router)."));
    for (const auto& n : no_multicast) {
      limits.push_back("The interface " + n + " does not support multicast, so discovery there was "
                       "sent to each address only.");
    }
    for (const auto& w : stats.udp_warnings) limits.push_back("Discovery: " + w + ".");
    const engine::DiscoveryStats& u = stats.udp;
    if (u.replies_dropped > 0 || u.replies_truncated > 0) {
      std::string what = "Discovery replies were capped: " + std::to_string(u.replies) + " arrived";
      if (u.replies_dropped > 0) {
        what += ", " + std::to_string(u.replies_dropped) + " were dropped (at most " +
                std::to_string(kMaxRepliesPerHost) + " are read from one address, " +
                std::to_string(kMaxRepliesTotal) + " in all, from at most " +
                std::to_string(kMaxOutsideHosts) + " addresses outside the checked networks)";
      }
      if (u.replies_truncated > 0) {
        what += ", " + std::to_string(u.replies_truncated) + " were longer than " +
                std::to_string(options.discovery.max_datagram_bytes) + " bytes and were cut";
      }
      limits.push_back(what + ". A device that floods replies is still listed once; the flood "
                       "did not lengthen the check.");
    }
  }
  if (!outside.empty()) {
    std::sort(outside.begin(), outside.end());
    std::string list;
    for (size_t i = 0; i < outside.size() && i < kMaxOutsideListed; ++i) list += (i ? ", " : "") + outside[i];
    if (outside.size() > kMaxOutsideListed) list += " and " + std::to_string(outside.size() - kMaxOutsideListed) + " more";
    result.notes.push_back(std::to_string(outside.size()) + (outside.size() == 1 ? " address" : " addresses") +
                           " outside the checked networks answered the discovery requests (" + list +
                           "); they were not checked, are not counted and are not part of this answer.");
  }
  result.limits = std::move(limits);
  result.incomplete = stats.stopped || !lost.empty();
  result = builder.Finish(std::move(result));

  report::WriteCheckText(std::cout, result, *chosen, *advice);
  std::cout.flush();
  if (!std::cout) return Fail(kExitRuntime, "writing the answer failed");
  if (!f.html.empty()) {
    std::string tmp = f.html + ".tmp";
    {
      std::ofstream page(tmp, std::ios::binary | std::ios::trunc);
      if (!page) return Fail(kExitRuntime, "cannot write " + f.html + ": " + std::strerror(errno));
      report::WriteCheckHtml(page, result, *chosen, *advice);
      page.flush();
      if (!page) return Fail(kExitRuntime, "writing " + f.html + " failed");
    }
    if (std::rename(tmp.c_str(), f.html.c_str()) != 0) {
      std::remove(tmp.c_str());
      return Fail(kExitRuntime, "cannot write " + f.html + ": " + std::strerror(errno));
    }
    if (!f.quiet) std::fprintf(stderr, "phaseout check: wrote %s\n", f.html.c_str());
  }

  bool prohibited = false;
  for (const auto& d : result.covered) prohibited = prohibited || d.status == model::VerdictStatus::kProhibited;
  if (prohibited) return kExitFindings;
  if (result.incomplete) return kExitIncomplete;
  return kExitOk;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  auto* cmd = app.add_subcommand(
      "check",
      "Check this machine's own network for restricted-vendor devices and explain the answer");
  cmd->footer(
      "With no arguments: finds the private (RFC 1918) networks attached to this machine (at most "
      "a /22 each), scans them gently and prints a short answer in plain words.\n"
      "Default policy: from the locale (en_CA: ca-federal-2025, en_US: us-ndaa-889, en_GB: "
      "uk-gov-sensitive-sites-2022, en_AU: au-gov-2023); otherwise --policy is required.\n"
      "Safety: never leaves the attached private networks, at most --rate connection attempts "
      "per second (default 100, never above 300), stops after --max-time seconds (default 110).\n"
      "Discovery: SADP, DHIP, WS-Discovery, SSDP and mDNS requests to each address and, with a "
      "time to live of 1, to their multicast groups on the chosen interfaces; replies from "
      "outside the chosen networks are named, never checked.\n"
      "Exit codes: 0 nothing prohibited, 3 prohibited devices found, 1 runtime error, 2 usage "
      "error, 4 incomplete check with nothing prohibited found. See docs/check.md.");
  cmd->add_option("--policy", flags->policy, "Policy id (default: from the locale)");
  cmd->add_option("--html", flags->html, "Also write the answer as one self-contained HTML page");
  cmd->add_option("--subnet", flags->subnets,
                  "Check this block instead (repeatable); it must lie inside an attached private "
                  "network, at most a /16");
  cmd->add_option("--rate", flags->rate, "Connection attempts per second")
      ->capture_default_str()->check(CLI::Range(1.0, kMaxRate));
  cmd->add_option("--max-time", flags->max_seconds, "Stop after this many seconds")
      ->capture_default_str()->check(CLI::Range(5u, 3600u));
  cmd->add_option("--data-dir", flags->data_dir, "phaseout data directory (rules, policies, advice)");
  cmd->add_option("--oui-dir", flags->oui_dir, "IEEE registry directory ('' to disable)")
      ->capture_default_str();
  cmd->add_flag("--no-progress", flags->no_progress, "No progress line on stderr");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only the answer and errors");
  cmd->callback([flags, exit_code] { *exit_code = RunCheck(*flags); });
}

}  // namespace phaseout::cli
