// Identify: turns every observation of a host into evidence via the rule database and combines
// the evidence into one model::Identification (manufacturer, brand, type, model, ...).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "fingerprint/rule_db.h"
#include "model/identification.h"
#include "model/observation.h"

namespace phaseout::fingerprint {

// Name of the combination method, recorded with results so stored identifications can be
// compared only with ones made the same way. v2: evidence kinds decide (docs/rule-format.md).
inline constexpr const char* kCombinerName = "evidence-noisy-or-v2";

// Optional knowledge from outside the rule database.
struct IdentifyOptions {
  // True iff products labelled `label` are documented OEM builds of `maker` (vendors.yaml
  // oem_of). Identifying evidence for both is then not a conflict: the maker stays the
  // manufacturer and the label becomes the brand. Unset: no OEM relation explains anything.
  std::function<bool(std::string_view label, std::string_view maker)> oem_of;
};

// Identifies one host. Pure function of (db, host, options); thread-safe for concurrent calls
// on one db if options.oem_of is.
//
// Evidence: one entry per (observation, matching rule), in observation order. Values longer
// than 256 bytes are shortened to an excerpt around the match ("..." marks cuts).
//
// Manufacturer (documented in docs/rule-format.md, "How evidence is combined"):
//  1. A rule match is identifying iff the rule says `evidence: identifying`, is verified, and,
//     for a MAC organisation (mac.* keys), some other rule established a device type. Every
//     other match is corroborating.
//  2. Facts count once per manufacturer: a rule, or a correlation group of rules, contributes
//     one weight (strong 0.9, medium 0.6, weak 0.3, hint 0.15; a group its heaviest member),
//     however many observations it matched.
//  3. Only makers with identifying evidence can be the manufacturer. score(m) = 1 - prod(1 - w)
//     over m's identifying and corroborating facts. Makers with corroborating facts only are
//     `candidates` (identifying = false): what the device resembles.
//  4. Two or more makers with identifying evidence: a maker whose label is a documented OEM
//     build of another identifying maker (options.oem_of) yields to it and becomes the brand;
//     any remaining one is a conflict, listed in `candidates` with identifying = true. The
//     highest score is reported (ties: more identifying facts, then the id alphabetically).
//  5. confidence = score(winner) * (1 - score(best other) / 2) over every other maker,
//     corroborated or identified: evidence for another maker lowers confidence.
//  6. decisive iff the winner has a strong identifying fact (MAC excluded), or two identifying
//     facts (MAC excluded) read from different probes or observation keys.
// Other fields (brand, device_type, model, firmware, serial) come from the strongest rule that
// extracts them among the rules that agree with the winner (claim the same manufacturer or
// none). With no winner, model/firmware/serial may come from any rule, brand and device_type
// only from rules that claim no manufacturer. For brand, a tie in strength prefers a label that
// differs from the manufacturer (the OEM label is the more specific fact). Brand is empty when
// no rule extracts one. Disagreeing values for a field are recorded in `conflicts`.
model::Identification Identify(const RuleDb& db, const model::HostScan& host,
                               const IdentifyOptions& options = {});

}  // namespace phaseout::fingerprint
