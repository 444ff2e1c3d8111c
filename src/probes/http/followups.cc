// Follow-up kinds and the process-wide planner. The table of follow-ups is data
// (data/followups/http.yaml); see followups.h.
#include "probes/http/followups.h"

#include <mutex>
#include <utility>

namespace phaseout::probes::http {
namespace {

struct KindName {
  FollowUpKind kind;
  std::string_view name;
};
constexpr KindName kKindNames[] = {
    {FollowUpKind::kIsapiDeviceInfo, "isapi_device_info"},
    {FollowUpKind::kHikvisionLogin, "login_page"},
    {FollowUpKind::kDahuaMagicBox, "magicbox"},
    {FollowUpKind::kFavicon, "favicon"},
};

std::mutex& PlannerMutex() {
  static std::mutex mu;
  return mu;
}

std::shared_ptr<const FollowUpPlanner>& PlannerSlot() {
  static std::shared_ptr<const FollowUpPlanner> planner;
  return planner;
}

}  // namespace

std::string_view FollowUpKindName(FollowUpKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<FollowUpKind> FollowUpKindFromName(std::string_view name) {
  for (const KindName& k : kKindNames) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

void SetFollowUpPlanner(std::shared_ptr<const FollowUpPlanner> planner) {
  std::lock_guard<std::mutex> lock(PlannerMutex());
  PlannerSlot() = std::move(planner);
}

std::shared_ptr<const FollowUpPlanner> CurrentFollowUpPlanner() {
  std::lock_guard<std::mutex> lock(PlannerMutex());
  return PlannerSlot();
}

}  // namespace phaseout::probes::http
