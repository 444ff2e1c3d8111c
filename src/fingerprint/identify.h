// Identify: turns every observation of a host into evidence via the rule database and combines
// the evidence into one model::Identification (manufacturer, brand, type, model, ...).
#pragma once

#include <string>

#include "fingerprint/rule_db.h"
#include "model/identification.h"
#include "model/observation.h"

namespace phaseout::fingerprint {

// Name of the combination method, recorded with results so stored identifications can be
// compared only with ones made the same way.
inline constexpr const char* kCombinerName = "noisy-or-v1";

// Identifies one host. Pure function of (db, host); thread-safe for concurrent calls on one db.
//
// Evidence: one entry per (observation, matching rule), in observation order. Values longer
// than 256 bytes are shortened to an excerpt around the match ("..." marks cuts).
//
// Manufacturer (documented in docs/rule-format.md, "How evidence is combined"):
//  1. Each rule counts once per manufacturer it claims, with the weight of its strength
//     (strong 0.9, medium 0.6, weak 0.3, hint 0.15), even if it matched several observations.
//  2. score(m) = 1 - prod(1 - w) over the non-hint rules claiming m, and over the hint rules
//     claiming m only if at least one non-hint rule claims m. A manufacturer with hints only
//     scores 0 and is never reported (a model prefix like "IPC-" cannot decide alone).
//  3. The winner is the highest score (ties: more non-hint rules, then the id alphabetically).
//     Every other manufacturer with a score > 0 is written to `conflicts`, and
//     confidence = score(winner) * (1 - score(best loser) / 2).
// Other fields (brand, device_type, model, firmware, serial) come from the strongest rule that
// extracts them among the rules that agree with the winner (claim the same manufacturer or
// none). With no winner, model/firmware/serial may come from any rule, brand and device_type
// only from rules that claim no manufacturer. For brand, a tie in strength prefers a label that
// differs from the manufacturer (the OEM label is the more specific fact). Brand is empty when
// no rule extracts one: rules extract brand = the maker's own id only where the observed value
// shows vendor-branded firmware (e.g. the "Hikvision Digital Technology" login page).
// Disagreeing values for a field are recorded in `conflicts`.
model::Identification Identify(const RuleDb& db, const model::HostScan& host);

}  // namespace phaseout::fingerprint
