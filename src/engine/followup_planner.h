// The HTTP probe's follow-up planner built from data/followups/http.yaml and the fingerprint
// rules: a follow-up is sent only when a rule asks for it and its reply can still change the
// identification of the port (see the comment at the top of data/followups/http.yaml).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "fingerprint/followups.h"
#include "fingerprint/rule_db.h"
#include "probes/http/followups.h"

namespace phaseout::engine {

class FollowUpRulePlanner final : public probes::http::FollowUpPlanner {
 public:
  // Fails with kInvalidArgument when an entry reads a reply kind the HTTP probe does not know.
  static Result<std::shared_ptr<const FollowUpRulePlanner>> Create(
      std::shared_ptr<const fingerprint::RuleDb> rules, std::vector<fingerprint::FollowUpEntry> entries,
      const std::string& file_name);

  std::optional<probes::http::FollowUpRequest> Next(std::span<const model::Observation> so_far,
                                                    std::span<const std::string> sent) const override;

  const std::vector<fingerprint::FollowUpEntry>& entries() const { return entries_; }

 private:
  FollowUpRulePlanner() = default;
  std::shared_ptr<const fingerprint::RuleDb> rules_;
  std::vector<fingerprint::FollowUpEntry> entries_;
  std::vector<probes::http::FollowUpKind> kinds_;  // parallel to entries_
};

}  // namespace phaseout::engine
