// Renderers for `phaseout policies list|show|check`: the shipped policies, what each covers
// (named entities, group members and OEM labels from the vendor registry), and one vendor's
// verdicts.
#pragma once

#include <iosfwd>
#include <vector>

#include "policy/policy_set.h"

namespace phaseout::report {

// One line per policy: id, jurisdiction, first effective date, prohibited actions, title.
void WritePolicyList(std::ostream& out, const policy::PolicySet& policies);
// JSON array of {id, title, jurisdiction, in_force_from, prohibited_actions, file}.
void WritePolicyListJson(std::ostream& out, const policy::PolicySet& policies);

// Everything about one policy: instrument, summary, effective dates, sources, and per rule the
// clause, the statuses per relation, the group members and OEM labels it reaches (from the
// registry, with ownership intervals and confidence) and its exceptions.
void WritePolicyDetail(std::ostream& out, const policy::Policy& policy, const policy::VendorRegistry& vendors);
// The same as one JSON object.
void WritePolicyDetailJson(std::ostream& out, const policy::Policy& policy, const policy::VendorRegistry& vendors);

// One line per finding: policy, status, clause, relation path and reason.
void WriteFindings(std::ostream& out, const std::vector<policy::Finding>& findings);

}  // namespace phaseout::report
