// Loads rules, vendors and policies from one data directory.
#include "engine/knowledge.h"

#include "core/data_dir.h"

namespace phaseout::engine {

Result<Knowledge> LoadKnowledge(const std::string& data_dir_override) {
  auto dir = FindDataDir(data_dir_override);
  if (!dir) return dir.error();
  Knowledge k;
  k.data_dir = *dir;
  auto rules = fingerprint::LoadRuleDbFromDataDir(*dir);
  if (!rules) return rules.error();
  k.rules = *rules;
  k.combiner = fingerprint::kCombinerName;
  k.rules_version = "fp-" + k.rules->version();
  auto vendors = policy::VendorRegistry::Load(*dir + "/vendors.yaml");
  if (!vendors) return vendors.error();
  k.vendors = std::make_unique<policy::VendorRegistry>(std::move(*vendors));
  auto policies = policy::PolicySet::LoadDirectory(*dir + "/policies", *k.vendors);
  if (!policies) return policies.error();
  k.policies = std::make_unique<policy::PolicySet>(std::move(*policies));
  return k;
}

}  // namespace phaseout::engine
