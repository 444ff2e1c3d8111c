// Classifier: the step after probing. Turns one HostScan into a DeviceReport: adds the MAC's
// IEEE organisation as an observation, identifies the device with the fingerprint rules and
// asks each selected policy for a verdict.
#pragma once

#include <memory>
#include <vector>

#include "fingerprint/oui_registry.h"
#include "fingerprint/rule_db.h"
#include "model/identification.h"
#include "policy/policy_set.h"

namespace phaseout::engine {

// Immutable after construction; Classify is thread-safe (called from scan worker threads).
// REQUIRES: `policies` and `oui` (if not null) outlive the classifier; `selected` points into
// `policies`.
class Classifier {
 public:
  Classifier(std::shared_ptr<const fingerprint::RuleDb> rules, const policy::PolicySet& policies,
             std::vector<const policy::Policy*> selected,
             const fingerprint::OuiRegistry* oui = nullptr);

  // Returns the report for `host`: identification, then one verdict per selected policy.
  model::DeviceReport Classify(model::HostScan host) const;

 private:
  std::shared_ptr<const fingerprint::RuleDb> rules_;
  const policy::PolicySet& policies_;
  std::vector<const policy::Policy*> selected_;
  const fingerprint::OuiRegistry* oui_;
};

}  // namespace phaseout::engine
