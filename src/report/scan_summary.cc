// ScanSummary accumulation.
#include "report/scan_summary.h"

#include <algorithm>

namespace phaseout::report {

ScanSummary::ScanSummary(std::vector<std::string> policy_ids) : policy_ids_(std::move(policy_ids)) {
  for (const auto& id : policy_ids_) by_policy_[id] = {};
}

void ScanSummary::Add(const model::DeviceReport& report) {
  ++hosts_;
  const std::string& maker = report.identification.manufacturer;
  if (!maker.empty()) ++identified_;
  ++by_manufacturer_[maker.empty() ? "unknown" : maker];
  std::map<std::string, model::VerdictStatus> worst;
  model::VerdictStatus device_worst = model::VerdictStatus::kClear;
  for (const auto& v : report.verdicts) {
    auto [it, inserted] = worst.emplace(v.policy, v.status);
    if (!inserted && static_cast<int>(v.status) > static_cast<int>(it->second)) it->second = v.status;
    if (static_cast<int>(v.status) > static_cast<int>(device_worst)) device_worst = v.status;
  }
  for (const auto& [policy, status] : worst) {
    if (by_policy_.find(policy) == by_policy_.end()) {
      by_policy_[policy] = {};
      policy_ids_.push_back(policy);
    }
    ++by_policy_[policy][static_cast<size_t>(status)];
  }
  if (device_worst == model::VerdictStatus::kProhibited) ++hosts_prohibited_;
  if (device_worst == model::VerdictStatus::kReview) ++hosts_review_;
}

uint64_t ScanSummary::Count(const std::string& policy, model::VerdictStatus status) const {
  auto it = by_policy_.find(policy);
  return it == by_policy_.end() ? 0 : it->second[static_cast<size_t>(status)];
}

}  // namespace phaseout::report
