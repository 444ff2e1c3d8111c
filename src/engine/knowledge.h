// Knowledge: everything a scan needs to interpret what it sees, loaded from one data directory:
// fingerprint rules, the vendor registry and the policies.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "fingerprint/identify.h"
#include "fingerprint/rule_db.h"
#include "policy/policy_set.h"
#include "policy/vendor_registry.h"

namespace phaseout::probes::http {
class FollowUpPlanner;
}

namespace phaseout::engine {

// Immutable after load; shared read-only by scan threads. `policies` refers to `*vendors`, so
// both live on the heap and move together.
struct Knowledge {
  std::string data_dir;
  // Version of the knowledge used: "sha256:" + 16 hex digits of the SHA-256 over every
  // loaded data file (fingerprints/, followups/, identifiers/, policies/, vendors.yaml), each as its path
  // relative to data_dir, a NUL, its size and its bytes, in path order. Recorded with every
  // scan result so a finding can be traced to the rules that produced it. The one rule-set
  // version of the project: scan output, inventory scan metadata and the corpus tool use it.
  std::string ruleset_version;
  std::shared_ptr<const fingerprint::RuleDb> rules;
  std::unique_ptr<policy::VendorRegistry> vendors;
  std::unique_ptr<policy::PolicySet> policies;
  // What turns observations into identifications, for scan output next to ruleset_version:
  // the combiner's name (fingerprint::kCombinerName).
  std::string combiner;
  // The HTTP probe's follow-up planner built from data/followups/http.yaml and `rules`.
  // LoadKnowledge also installs it for the process (probes::http::SetFollowUpPlanner).
  std::shared_ptr<const probes::http::FollowUpPlanner> http_followups;
};

// Finds the data directory (FindDataDir(data_dir_override)) and loads rules, the HTTP
// follow-up table (followups/http.yaml), vendors.yaml and policies/. Fails with the first loader's error (kNotFound / kInvalidArgument naming the file
// and the problem): callers exit 2.
Result<Knowledge> LoadKnowledge(const std::string& data_dir_override = "");

// The ruleset_version of the data directory `data_dir` (see Knowledge). Returns kNotFound /
// kIo if a file cannot be read.
Result<std::string> ComputeRulesetVersion(const std::string& data_dir);

}  // namespace phaseout::engine
