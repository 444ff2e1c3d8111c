// ScanSummary: running totals of a scan (hosts, identified devices, counts by manufacturer and
// by policy x verdict) fed one DeviceReport at a time, plus what the scan did not cover.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/identification.h"

namespace phaseout::report {

// Number of model::VerdictStatus values (arrays indexed by status).
inline constexpr size_t kVerdictStatusCount = 4;

// Severity rank: clear 0 < unknown 1 < review 2 < prohibited 3.
int Severity(model::VerdictStatus status);

// The worst verdict of `report` over all its policies; kClear if it has none.
model::VerdictStatus WorstVerdict(const model::DeviceReport& report);

// What a scan reached and what it did not (filled by the CLI from the engine's counters).
// A scan is complete iff it was not interrupted, every address was finished, no
// (address, port) pair was lost to a local/network error, and at least one connection got an
// answer (open or refused). Refused, timed-out and "host unreachable" ports are covered:
// the network answered, or nothing is there. Value type.
struct ScanCoverage {
  uint64_t addresses_total = 0;        // addresses in scope
  uint64_t addresses_finished = 0;     // addresses whose ports were all tried (or skipped)
  uint64_t addresses_not_covered = 0;  // finished addresses with ports not reached
  uint64_t ports_not_covered = 0;      // (address, port) pairs not reached over those addresses
  uint64_t ports_per_address = 0;
  uint64_t connections_attempted = 0;
  uint64_t connections_answered = 0;   // open + refused
  uint64_t connect_timeouts = 0;
  uint64_t host_unreachable = 0;
  std::string interrupted_by;          // "SIGINT" / "SIGTERM" / "stop"; empty if not interrupted
  std::vector<std::string> not_covered_sample;               // "ip: ports 80,443 (reason)"
  std::vector<std::pair<std::string, uint64_t>> errors_by_kind;  // error text -> connects

  uint64_t addresses_not_started() const {
    return addresses_total > addresses_finished ? addresses_total - addresses_finished : 0;
  }
  // True iff the scan is complete (see above). A default-constructed coverage is complete
  // (used when a caller renders reports that did not come from a scan).
  bool complete() const { return IncompleteReasons().empty(); }
  // One sentence per reason the scan is incomplete, empty iff complete().
  std::vector<std::string> IncompleteReasons() const;
};

// What the UDP discovery pass sent and received (filled by the CLI from the engine's
// counters). `ran` is false when the scan sent no datagrams (--no-udp, or no IPv4 target).
// Value type.
struct ScanDiscovery {
  bool ran = false;
  uint64_t datagrams_sent = 0;
  uint64_t send_errors = 0;           // datagrams the kernel refused to send
  uint64_t replies = 0;               // datagrams received, all senders
  uint64_t replies_out_of_scope = 0;  // from addresses outside the scan scope (flagged, never merged)
  uint64_t replies_truncated = 0;     // longer than the datagram cap: parsed cut, noted on the host
  uint64_t replies_capped = 0;        // dropped over the per-host, total or outside-host caps (floods)
  uint64_t replies_late = 0;          // arrived after their address was reported: counted, dropped
  uint64_t elapsed_ms = 0;            // how long the pass took
};

// Not thread-safe: feed it from one thread (or under the caller's output mutex).
class ScanSummary {
 public:
  // `policy_ids`: the selected policies in display order; policies seen in reports but not
  // listed here are appended in order of first appearance.
  explicit ScanSummary(std::vector<std::string> policy_ids = {});

  // Counts one host. Per policy the worst verdict of the report counts (a report normally has
  // exactly one verdict per policy). A host outside the scan scope (HostScan::out_of_scope: it
  // answered a discovery probe from an address not among the targets) counts only in
  // out_of_scope(): not in hosts, makers, verdicts or the --fail-on condition.
  void Add(const model::DeviceReport& report);

  // Repliers outside the scan scope, reported as flagged records and counted here only.
  uint64_t out_of_scope() const { return out_of_scope_; }

  uint64_t hosts() const { return hosts_; }
  // Hosts with a manufacturer identified.
  uint64_t identified() const { return identified_; }
  // Hosts whose worst verdict over all policies is `status` (each host counts once).
  uint64_t HostsWorst(model::VerdictStatus status) const { return hosts_worst_[Index(status)]; }
  // Hosts whose worst verdict is at least as severe as `threshold` (the --fail-on condition).
  uint64_t HostsAtOrAbove(model::VerdictStatus threshold) const;
  // Hosts with at least one `prohibited` verdict.
  uint64_t hosts_prohibited() const { return HostsWorst(model::VerdictStatus::kProhibited); }
  // Hosts with at least one `review` verdict and none prohibited.
  uint64_t hosts_review() const { return HostsWorst(model::VerdictStatus::kReview); }
  // Hosts with at least one `unknown` verdict and none review or prohibited.
  uint64_t hosts_unknown() const { return HostsWorst(model::VerdictStatus::kUnknown); }
  // Host count per manufacturer id; unidentified hosts count under "unknown".
  const std::map<std::string, uint64_t>& by_manufacturer() const { return by_manufacturer_; }
  // Hosts whose verdict under `policy` is `status` (0 for unknown policies).
  uint64_t Count(const std::string& policy, model::VerdictStatus status) const;
  const std::vector<std::string>& policy_ids() const { return policy_ids_; }

  // Scan-level facts the CLI learns at the end (shown in every format's trailer).
  void set_finished_at(std::string iso8601) { finished_at_ = std::move(iso8601); }
  const std::string& finished_at() const { return finished_at_; }
  void set_addresses_scanned(uint64_t n) { addresses_scanned_ = n; }
  uint64_t addresses_scanned() const { return addresses_scanned_; }
  void set_stopped(bool stopped) { stopped_ = stopped; }
  bool stopped() const { return stopped_; }
  void set_coverage(ScanCoverage coverage) { coverage_ = std::move(coverage); }
  const ScanCoverage& coverage() const { return coverage_; }
  void set_discovery(ScanDiscovery discovery) { discovery_ = discovery; }
  const ScanDiscovery& discovery() const { return discovery_; }
  bool complete() const { return !stopped_ && coverage_.complete(); }
  // IncompleteReasons of the coverage, plus "scan stopped early" if stopped and not said.
  std::vector<std::string> IncompleteReasons() const;

 private:
  static size_t Index(model::VerdictStatus s) { return static_cast<size_t>(Severity(s)); }

  std::vector<std::string> policy_ids_;
  uint64_t hosts_ = 0;
  uint64_t out_of_scope_ = 0;
  uint64_t identified_ = 0;
  std::array<uint64_t, kVerdictStatusCount> hosts_worst_{};  // index: Severity
  std::map<std::string, uint64_t> by_manufacturer_;
  std::map<std::string, std::array<uint64_t, kVerdictStatusCount>> by_policy_;  // index: Severity
  std::string finished_at_;
  uint64_t addresses_scanned_ = 0;
  bool stopped_ = false;
  ScanCoverage coverage_;
  ScanDiscovery discovery_;
};

}  // namespace phaseout::report
