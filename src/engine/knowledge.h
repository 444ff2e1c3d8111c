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

namespace phaseout::engine {

// Immutable after load; shared read-only by scan threads. `policies` refers to `*vendors`, so
// both live on the heap and move together.
struct Knowledge {
  std::string data_dir;
  std::shared_ptr<const fingerprint::RuleDb> rules;
  std::unique_ptr<policy::VendorRegistry> vendors;
  std::unique_ptr<policy::PolicySet> policies;
  // What turns observations into identifications, for scan output next to the data version:
  // the combiner's name (fingerprint::kCombinerName) and the version of the fingerprint rules
  // alone ("fp-" + RuleDb::version(), FNV-1a 64 of the rule files).
  std::string combiner;
  std::string rules_version;
};

// Finds the data directory (FindDataDir(data_dir_override)) and loads rules, vendors.yaml and
// policies/. Fails with the first loader's error (kNotFound / kInvalidArgument naming the file
// and the problem): callers exit 2.
Result<Knowledge> LoadKnowledge(const std::string& data_dir_override = "");

}  // namespace phaseout::engine
