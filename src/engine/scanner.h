// Scanner: the TCP scan engine. It walks a TargetSet lazily, connects to each port of each
// address under a global rate limit, a global connection cap and a per-host cap, drives the
// sans-I/O probe sessions (probes/probe.h) over the open ports and hands one model::HostScan
// per responsive host to the caller.
//
// Usage (the `phaseout scan` command does essentially this):
//
//   auto targets = net::TargetSet::Parse({"127.16.0.0/16"}, {"127.16.0.1"});
//   if (!targets) return Fail(targets.error());            // kInvalidArgument: exit 2
//   engine::ScanOptions options;                            // documented defaults below
//   options.rate = 1000;                                    // connection attempts per second
//   options.ports = net::ParsePorts("80,443,554")->ports;
//   engine::Scanner scanner(options);
//   std::mutex out_mu;
//   std::thread progress([&] {                              // poll Snapshot() for a progress line
//     while (!done) { ShowProgress(scanner.Snapshot()); Sleep(200ms); }
//   });
//   // SIGINT handler: scanner.Stop();  (async-signal-safe: it only sets an atomic flag)
//   Status st = scanner.Run(**targets, [&](model::HostScan&& host) {
//     std::lock_guard<std::mutex> lock(out_mu);             // called from worker threads
//     WriteNdjson(Identify(host));
//   });
//   done = true; progress.join();
//   if (!st.ok()) return Fail(st.error());                  // bad options: kInvalidArgument
//   ScanStats final = scanner.Snapshot();                   // final.stopped if Stop() ended it
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "engine/discovery.h"
#include "model/observation.h"
#include "net/ports.h"
#include "net/target_set.h"
#include "probes/probe.h"

namespace phaseout::engine {

// Chooses the probe to run on an open TCP port; nullptr means "just record the open port".
// Must be thread-safe (it is called from every worker thread).
using ProbeSelector = std::function<const probes::Probe*(uint16_t port)>;

// Receives each responsive host once it is finished. Called from any worker thread, possibly
// concurrently: the callee serialises (e.g. with a mutex). It runs on the scan thread, so a
// slow callback slows that thread's share of the scan.
using HostCallback = std::function<void(model::HostScan&&)>;

// Scan settings. Plain struct; the defaults are conservative (gentle on fragile devices).
struct ScanOptions {
  // TCP ports tried on every address, in this order (ascending is best: open_ports is sorted
  // anyway). Default: net::DefaultPorts() (80, 443, 554, 8000, 8080, 8443, 37777).
  std::vector<uint16_t> ports = net::DefaultPorts();
  // Global connection attempts per second across all threads. Default 300, in the range of
  // the "OT limited" templates of commercial scanners. <= 0: unlimited (benchmarks only).
  double rate = 300;
  // Maximum connections open at once across the whole scan. Default 256.
  uint32_t concurrency = 256;
  // Maximum connections open at once to one host. Default 2 (fragile embedded web servers).
  uint32_t per_host = 2;
  uint32_t connect_timeout_ms = 1500;
  // Default read timeout of a probe step (a step may set its own).
  uint32_t read_timeout_ms = 3000;
  // Everything done to one host must finish within this; the rest is skipped with a note.
  uint32_t host_timeout_ms = 30000;
  // Cap on bytes read for one probe step; longer replies are cut (and noted). Default 64 KiB.
  uint32_t max_response_bytes = 65536;
  // Event-loop threads, each with its own io_context. 0: std::thread::hardware_concurrency().
  uint32_t threads = 0;
  // Probe choice per open port. Empty: the probe registry (probes::ProbeForPort).
  ProbeSelector probe_for_port;
  // Look up MACs of responsive IPv4 hosts in the kernel neighbour table at this path
  // ("" disables). Only hosts on a directly attached segment have an entry.
  std::string neighbor_table_path = "/proc/net/arp";
  // UDP discovery (discovery.h): every datagram probe unicast to every IPv4 target, one
  // rate slot per target (the rate field of `discovery` is ignored; one target's few datagrams
  // go together), and multicast on `discovery.interfaces` when any are given (`--discover`).
  // Unicast only: the pass runs beside the TCP pass on its own thread and `rate` is shared,
  // rate/(ports+1) targets per second for the datagrams and the rest for the connects; a host
  // the TCP pass finished is reported once its replies are final (wait_ms after its
  // datagrams). With interfaces the pass runs before the TCP pass at `rate` targets per second.
  // Replies merge into the record of their address (a host that answers only UDP is reported
  // too); replies from outside the target set are reported as separate records with
  // HostScan::out_of_scope set, never merged. false: no UDP at all (`--no-udp`).
  bool udp = true;
  DiscoveryOptions discovery;
};

// The discovery flags of `phaseout scan`, as the user gave them.
struct DiscoveryFlags {
  bool discover = false;                // --discover: multicast on the local segment too
  std::vector<std::string> interfaces;  // --interface (repeatable); empty: the private-address ones
  bool no_udp = false;                  // --no-udp: no datagram probes at all
  std::string snmp_community;           // --snmp-community: enables the SNMP probe
};

// Applies `flags` to `options` (udp, discovery.interfaces, discovery.context). Interfaces are
// listed and chosen with net::ChooseDiscoveryInterfaces. Returns kInvalidArgument for
// --interface without --discover, --discover with --no-udp, an unknown or down interface;
// kNotFound when --discover finds no usable interface (the message says to name one).
Status ApplyDiscoveryFlags(const DiscoveryFlags& flags, ScanOptions* options);

// Progress and outcome counters. A consistent-enough copy taken from atomics (individual
// fields are exact; they may be a few events apart from each other).
struct ScanStats {
  uint64_t targets_total = 0;          // addresses in the target set
  uint64_t targets_done = 0;           // addresses finished (all ports tried or skipped)
  uint64_t hosts_responsive = 0;       // addresses with at least one open port (reported)
  uint64_t connections_attempted = 0;  // connect() calls made
  uint64_t connections_open = 0;       // connects that succeeded
  uint64_t connections_refused = 0;    // answered RST: port closed
  uint64_t connect_timeouts = 0;       // no answer within connect_timeout_ms
  uint64_t read_timeouts = 0;          // probe steps whose reply did not complete in time
  uint64_t bytes_read = 0;
  uint64_t resource_errors = 0;        // EMFILE/ENFILE/ENOBUFS/EADDRNOTAVAIL...: backed off and retried
  uint64_t host_unreachable = 0;       // EHOSTUNREACH/EHOSTDOWN: the network says no host is there
  uint64_t network_errors = 0;         // ENETUNREACH/EPERM/EACCES/ENETDOWN...: port given up
  uint64_t other_errors = 0;
  DiscoveryStats udp;                  // the discovery pass (all zero when it did not run)
  std::chrono::milliseconds udp_elapsed{0};  // how long the discovery pass took (0: it did not run; beside the TCP pass, its own duration)
  std::vector<std::string> udp_warnings;  // e.g. a multicast interface that could not be used
  // Coverage. A port is covered when its connect got an answer (open or refused), timed out
  // or was answered "host unreachable"; it is not covered when the probe could not be sent or
  // was blocked on this side (network_errors, other_errors) or Stop() skipped it.
  uint64_t addresses_not_covered = 0;  // finished addresses with at least one port not covered
  uint64_t ports_not_covered = 0;      // (address, port) pairs not covered, over those addresses
  std::vector<std::string> not_covered_sample;  // first few: "127.0.0.5: ports 80,443 (Operation not permitted)"
  std::vector<std::pair<std::string, uint64_t>> errors_by_kind;  // error text -> connects, by text
  std::chrono::milliseconds elapsed{0};  // since Run() started (frozen when it returns)
  bool running = false;
  bool stopped = false;                // Stop() ended the scan early
};

// Runs scans. One Run() at a time per Scanner. Snapshot() and Stop() are thread-safe and may
// be called from any thread while Run() is in progress; Stop() is also async-signal-safe.
class Scanner {
 public:
  explicit Scanner(ScanOptions options);
  ~Scanner();
  Scanner(const Scanner&) = delete;  // owns atomics and threads' shared state
  Scanner& operator=(const Scanner&) = delete;

  // Runs the UDP discovery pass (unless options.udp is false) beside (unicast) or before
  // (--discover) a scan of every address of `targets` on every TCP port; blocks until done or
  // stopped.
  // Returns kInvalidArgument for unusable options (no ports, zero concurrency/per_host,
  // zero timeouts or byte cap), kInternal if the TLS context or the worker threads cannot be
  // set up. Connection-level failures are never errors: they are counted in ScanStats.
  // Hosts with no open port are counted but not reported. After Stop(), hosts in progress are
  // still reported (with a note) and Run returns Ok with Snapshot().stopped == true.
  Status Run(const net::TargetSet& targets, const HostCallback& on_host);

  // A copy of the counters; callable at any time from any thread.
  ScanStats Snapshot() const;

  // Asks the running scan to stop soon: no new connections, pending operations cancelled.
  // Async-signal-safe (sets an atomic flag; workers poll it every ~50 ms).
  void Stop();

  const ScanOptions& options() const { return options_; }

 private:
  struct Impl;
  ScanOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace phaseout::engine
