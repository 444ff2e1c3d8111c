// Follow-up planning from data: rules ask, the identification so far decides whether it is
// still worth asking.
#include "engine/followup_planner.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/strings.h"
#include "fingerprint/identify.h"

namespace phaseout::engine {
namespace {

bool IsHtmlReply(std::span<const model::Observation> obs) {
  for (const model::Observation& o : obs) {
    if (o.key == "http.title") return true;
    if (o.key == "http.header.content-type" && AsciiLower(o.value).find("html") != std::string::npos) return true;
  }
  return false;
}

// True iff the reply of a follow-up that can tell `adds` may still change `id`.
bool CanStillAdd(const std::vector<std::string>& adds, const model::Identification& id) {
  if (!id.decisive) return true;  // the maker is not settled yet
  for (const std::string& field : adds) {
    if (field == "brand" && id.brand.empty()) return true;
    if (field == "model" && id.model.empty()) return true;
    if (field == "firmware" && id.firmware.empty()) return true;
    if (field == "serial" && id.serial.empty()) return true;
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const FollowUpRulePlanner>> FollowUpRulePlanner::Create(
    std::shared_ptr<const fingerprint::RuleDb> rules, std::vector<fingerprint::FollowUpEntry> entries,
    const std::string& file_name) {
  std::shared_ptr<FollowUpRulePlanner> p(new FollowUpRulePlanner());
  for (const auto& e : entries) {
    auto kind = probes::http::FollowUpKindFromName(e.reads);
    if (!kind) {
      return MakeError(ErrorCode::kInvalidArgument,
                       file_name + ":" + std::to_string(e.line) + ": follow-up '" + e.id + "': the HTTP probe cannot read '" +
                           e.reads + "' (known: isapi_device_info, login_page, magicbox, favicon)");
    }
    p->kinds_.push_back(*kind);
  }
  p->rules_ = std::move(rules);
  p->entries_ = std::move(entries);
  return std::shared_ptr<const FollowUpRulePlanner>(std::move(p));
}

std::optional<probes::http::FollowUpRequest> FollowUpRulePlanner::Next(std::span<const model::Observation> so_far,
                                                                      std::span<const std::string> sent) const {
  model::HostScan host;
  host.observations.assign(so_far.begin(), so_far.end());
  model::Identification id = fingerprint::Identify(*rules_, host);
  std::set<std::string> matched;
  for (const model::Evidence& e : id.evidence) matched.insert(e.rule);
  const bool html = IsHtmlReply(so_far);
  for (size_t i = 0; i < entries_.size(); ++i) {
    const fingerprint::FollowUpEntry& e = entries_[i];
    if (std::find(sent.begin(), sent.end(), e.id) != sent.end()) continue;
    bool asked = e.when_html && html;
    for (const std::string& rule : e.asked_by) asked = asked || matched.count(rule) > 0;
    if (!asked || !CanStillAdd(e.adds, id)) continue;
    return probes::http::FollowUpRequest{e.id, kinds_[i], e.path};
  }
  return std::nullopt;
}

}  // namespace phaseout::engine
