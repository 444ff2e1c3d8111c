// Scheduled-scan checks and the run record (see schedule.h).
#include "agent/schedule.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "net/target_set.h"

namespace phaseout::agent {

Status CheckScheduledScan(const ScheduledScan& scan, const std::vector<std::string>& bound_sites,
                          const std::vector<std::string>& allowed) {
  if (!bound_sites.empty() && std::find(bound_sites.begin(), bound_sites.end(), scan.site) == bound_sites.end()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "refusing to scan for site '" + scan.site + "': this agent is not bound to it");
  }
  if (scan.targets.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "refusing a scan for site '" + scan.site + "' without targets");
  }
  for (const auto& t : scan.targets) {
    // Only addresses and CIDR blocks (the scope syntax of sites): no @files from a server.
    if (t.empty() || t.front() == '@' || t.find(',') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "refusing target '" + t + "' for site '" + scan.site + "': not an address or CIDR block");
    }
  }
  auto targets = net::TargetSet::Parse(scan.targets);
  if (!targets) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "refusing the scan for site '" + scan.site + "': " + targets.error().message);
  }
  if (!allowed.empty()) {
    // The targets minus the allowed blocks must be empty.
    auto outside = net::TargetSet::Parse(scan.targets, allowed);
    if (!outside) {
      return MakeError(ErrorCode::kInvalidArgument, "bad 'scan.allowed' block: " + outside.error().message);
    }
    if ((*outside)->Count() > 0) {
      auto first = (*outside)->At(0);
      return MakeError(ErrorCode::kInvalidArgument,
                       "refusing the scan for site '" + scan.site + "': " + std::to_string((*outside)->Count()) +
                           " target addresses (first " + (first ? first->ToString() : std::string("?")) +
                           ") lie outside the blocks this agent's config allows (scan.allowed)");
    }
  }
  return Status::Ok();
}

std::string ScheduleKey(const ScheduledScan& scan) {
  std::string key = scan.site + "|";
  for (const auto& t : scan.targets) key += t + ",";
  key += "|" + scan.ports;
  for (char& c : key) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return key;
}

RunRecord RunRecord::Load(const std::string& path) {
  RunRecord r;
  r.path_ = path;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    try {
      r.last_[line.substr(0, tab)] = static_cast<std::time_t>(std::stoll(line.substr(tab + 1)));
    } catch (const std::exception&) {
      continue;  // a damaged line only means that scan may run early
    }
  }
  return r;
}

bool RunRecord::Due(const ScheduledScan& scan, std::time_t now) const {
  return SecondsUntilNext({scan}, now) == 0;
}

uint32_t RunRecord::SecondsUntilNext(const std::vector<ScheduledScan>& scans, std::time_t now) const {
  uint32_t best = UINT32_MAX;
  for (const auto& s : scans) {
    auto it = last_.find(ScheduleKey(s));
    if (it == last_.end() || it->second > now) return 0;  // never ran, or the clock went back
    std::time_t next = it->second + s.interval_s;
    best = std::min<uint32_t>(best, next <= now ? 0u : static_cast<uint32_t>(next - now));
  }
  return best == UINT32_MAX ? 0 : best;
}

Status RunRecord::MarkStarted(const ScheduledScan& scan, std::time_t when) {
  last_[ScheduleKey(scan)] = when;
  if (path_.empty()) return Status::Ok();
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [key, t] : last_) out << key << '\t' << static_cast<long long>(t) << '\n';
    if (!out.flush()) return MakeError(ErrorCode::kIo, "cannot write the run record '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    return MakeError(ErrorCode::kIo, "cannot replace the run record '" + path_ + "'");
  }
  return Status::Ok();
}

}  // namespace phaseout::agent
