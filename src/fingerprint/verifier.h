// Verifier: the self-test of the fingerprint database (our recog_verify). Run by
// `phaseout rules verify` and by a ctest over the shipped data/.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fingerprint/rule_db.h"

namespace phaseout::fingerprint {

// Outcome of Verify. `failures` holds one message per problem, each naming the file, line and
// rule id.
struct VerifyReport {
  size_t files = 0;
  size_t rules = 0;
  size_t unverified_rules = 0;   // rules with verified: false (reported, not a failure)
  size_t examples_ok = 0;
  size_t negative_examples_ok = 0;
  std::vector<std::string> failures;
  bool ok() const { return failures.empty(); }
};

// Checks every rule of `db` (which the loader has already validated structurally):
//  - it has at least one example and at most 20;
//  - every example matches its own rule and extracts exactly the declared values;
//  - every capture-based extract field is declared by at least one example;
//  - no example is shadowed: the first rule of the same file that matches it is its own rule;
//  - no negative example matches any rule of its file, nor any rule elsewhere on the same keys
//    that claims the same manufacturer as the rule the negative example belongs to;
//  - no vague values ("unknown", "general", "other", "n/a", ...) in extracted fields.
// Never fails itself; problems go into the report.
VerifyReport Verify(const RuleDb& db);

// One line: "N files, M rules (U unverified), K examples ok, J negative examples ok, F failures".
std::string FormatSummary(const VerifyReport& report);

}  // namespace phaseout::fingerprint
