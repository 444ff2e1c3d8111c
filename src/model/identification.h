// Identification of a device (who made it, what label it carries) with the evidence behind
// every claim, and per-policy verdicts. Produced by fingerprint/ and policy/; rendered by report/.
#pragma once

#include <string>
#include <vector>

#include "model/observation.h"

namespace phaseout::model {

// One piece of evidence: an observation and the rule that interpreted it.
struct Evidence {
  std::string probe;
  uint16_t port = 0;
  std::string field;   // observation key
  std::string value;   // observed value (verbatim)
  std::string rule;    // rule id, e.g. "hikvision.http.server.webs"
  std::string claim;   // what the rule concluded, e.g. "manufacturer=hikvision"
};

// The combined identification of one device. Empty strings mean unknown.
// `manufacturer` and `brand` are canonical vendor ids from data/vendors.yaml
// (e.g. manufacturer "hikvision", brand "lts" for an LTS-labelled Hikvision OEM build).
struct Identification {
  std::string manufacturer;
  std::string brand;
  std::string device_type;  // from data/identifiers/device_types.yaml: camera, nvr, dvr, ...
  std::string model;
  std::string firmware;
  std::string serial;
  double confidence = 0.0;  // 0..1 confidence in `manufacturer`
  std::vector<Evidence> evidence;
  std::vector<std::string> conflicts;  // claims that disagreed with the winner, kept as evidence
};

// Ordered by severity: clear < unknown < review < prohibited.
//   clear       identified as something the policy does not cover
//   unknown     nothing identified, so nothing can be said (never shown as "clear")
//   review      covered signs short of decisive identification, or an exception applies
//   prohibited  decisively identified as covered
enum class VerdictStatus { kClear, kUnknown, kReview, kProhibited };

inline const char* VerdictStatusName(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::kClear: return "clear";
    case VerdictStatus::kUnknown: return "unknown";
    case VerdictStatus::kReview: return "review";
    case VerdictStatus::kProhibited: return "prohibited";
  }
  return "clear";
}

// The decision of one policy about one device or purchase line.
struct Verdict {
  std::string policy;   // policy id, e.g. "us-ndaa-889"
  VerdictStatus status = VerdictStatus::kClear;
  std::string reason;   // one sentence a compliance officer can read
  std::string clause;   // clause that fired, e.g. "889(f)(3)(B)"; empty when clear
};

// A scanned host with its identification and verdicts: one NDJSON line of `phaseout scan`.
struct DeviceReport {
  HostScan host;
  Identification identification;
  std::vector<Verdict> verdicts;
};

}  // namespace phaseout::model
