// ScanSummary accumulation and the completeness rules of ScanCoverage.
#include "report/scan_summary.h"

#include <algorithm>

namespace phaseout::report {

int Severity(model::VerdictStatus status) {
  switch (status) {
    case model::VerdictStatus::kClear: return 0;
    case model::VerdictStatus::kUnknown: return 1;
    case model::VerdictStatus::kReview: return 2;
    case model::VerdictStatus::kProhibited: return 3;
  }
  return 1;
}

model::VerdictStatus WorstVerdict(const model::DeviceReport& report) {
  model::VerdictStatus worst = model::VerdictStatus::kClear;
  for (const auto& v : report.verdicts) {
    if (Severity(v.status) > Severity(worst)) worst = v.status;
  }
  return worst;
}

std::vector<std::string> ScanCoverage::IncompleteReasons() const {
  std::vector<std::string> out;
  if (!interrupted_by.empty()) {
    out.push_back("interrupted (" + interrupted_by + "): " + std::to_string(addresses_not_started()) +
                  " of " + std::to_string(addresses_total) + " addresses not started");
  } else if (addresses_not_started() > 0) {
    out.push_back(std::to_string(addresses_not_started()) + " of " + std::to_string(addresses_total) +
                  " addresses not started");
  }
  if (addresses_not_covered > 0) {
    out.push_back(std::to_string(addresses_not_covered) + " addresses with " + std::to_string(ports_not_covered) +
                  " ports not reached (network or local errors)");
  }
  if (addresses_total > 0 && connections_attempted > 0 && connections_answered == 0) {
    out.push_back("nothing answered: no connection was accepted or refused (" + std::to_string(connect_timeouts) +
                  " timeouts, " + std::to_string(host_unreachable) + " host unreachable)");
  } else if (addresses_total > 0 && connections_attempted == 0 && interrupted_by.empty()) {
    out.push_back("nothing reached: no connection could be attempted");
  }
  return out;
}

ScanSummary::ScanSummary(std::vector<std::string> policy_ids) : policy_ids_(std::move(policy_ids)) {
  for (const auto& id : policy_ids_) by_policy_[id] = {};
}

void ScanSummary::Add(const model::DeviceReport& report) {
  if (report.host.out_of_scope) {
    ++out_of_scope_;
    return;
  }
  ++hosts_;
  const std::string& maker = report.identification.manufacturer;
  if (!maker.empty()) ++identified_;
  ++by_manufacturer_[maker.empty() ? "unknown" : maker];
  std::map<std::string, model::VerdictStatus> worst;
  for (const auto& v : report.verdicts) {
    auto [it, inserted] = worst.emplace(v.policy, v.status);
    if (!inserted && Severity(v.status) > Severity(it->second)) it->second = v.status;
  }
  for (const auto& [policy, status] : worst) {
    if (by_policy_.find(policy) == by_policy_.end()) {
      by_policy_[policy] = {};
      policy_ids_.push_back(policy);
    }
    ++by_policy_[policy][Index(status)];
  }
  // A host without any verdict (no policy selected) is counted as clear: nothing was asked.
  ++hosts_worst_[Index(WorstVerdict(report))];
}

uint64_t ScanSummary::HostsAtOrAbove(model::VerdictStatus threshold) const {
  uint64_t n = 0;
  for (size_t i = Index(threshold); i < kVerdictStatusCount; ++i) n += hosts_worst_[i];
  return n;
}

uint64_t ScanSummary::Count(const std::string& policy, model::VerdictStatus status) const {
  auto it = by_policy_.find(policy);
  return it == by_policy_.end() ? 0 : it->second[Index(status)];
}

std::vector<std::string> ScanSummary::IncompleteReasons() const {
  std::vector<std::string> out = coverage_.IncompleteReasons();
  if (stopped_ && coverage_.interrupted_by.empty()) out.insert(out.begin(), "scan stopped early");
  return out;
}

}  // namespace phaseout::report
