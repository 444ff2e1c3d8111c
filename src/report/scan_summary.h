// ScanSummary: running totals of a scan (hosts, identified devices, counts by manufacturer and
// by policy x verdict) fed one DeviceReport at a time, so NDJSON output never keeps reports.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/identification.h"

namespace phaseout::report {

// Not thread-safe: feed it from one thread (or under the caller's output mutex).
class ScanSummary {
 public:
  // `policy_ids`: the selected policies in display order; policies seen in reports but not
  // listed here are appended in order of first appearance.
  explicit ScanSummary(std::vector<std::string> policy_ids = {});

  // Counts one host. Per policy the worst verdict of the report counts (a report normally has
  // exactly one verdict per policy).
  void Add(const model::DeviceReport& report);

  uint64_t hosts() const { return hosts_; }
  // Hosts with a manufacturer identified.
  uint64_t identified() const { return identified_; }
  // Hosts with at least one `prohibited` verdict (the scan's exit code 3 condition).
  uint64_t hosts_prohibited() const { return hosts_prohibited_; }
  // Hosts with at least one `review` verdict and none prohibited.
  uint64_t hosts_review() const { return hosts_review_; }
  // Host count per manufacturer id; unidentified hosts count under "unknown".
  const std::map<std::string, uint64_t>& by_manufacturer() const { return by_manufacturer_; }
  // Hosts whose verdict under `policy` is `status` (0 for unknown policies).
  uint64_t Count(const std::string& policy, model::VerdictStatus status) const;
  const std::vector<std::string>& policy_ids() const { return policy_ids_; }

  // Scan-level facts the CLI learns at the end (shown in JSON and table summaries).
  void set_finished_at(std::string iso8601) { finished_at_ = std::move(iso8601); }
  const std::string& finished_at() const { return finished_at_; }
  void set_addresses_scanned(uint64_t n) { addresses_scanned_ = n; }
  uint64_t addresses_scanned() const { return addresses_scanned_; }
  void set_stopped(bool stopped) { stopped_ = stopped; }
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> policy_ids_;
  uint64_t hosts_ = 0;
  uint64_t identified_ = 0;
  uint64_t hosts_prohibited_ = 0;
  uint64_t hosts_review_ = 0;
  std::map<std::string, uint64_t> by_manufacturer_;
  std::map<std::string, std::array<uint64_t, 4>> by_policy_;  // index: VerdictStatus
  std::string finished_at_;
  uint64_t addresses_scanned_ = 0;
  bool stopped_ = false;
};

}  // namespace phaseout::report
