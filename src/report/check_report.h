// The answer of `phaseout check`: how many devices were seen, which are made by a maker the
// chosen policy covers (brand, model, address, how it was recognised, in words), which could not
// be identified and how to check them by hand, what that means under the policy and what people
// usually do next. CheckResultBuilder turns DeviceReports into a CheckResult; WriteCheckText and
// WriteCheckHtml render the same answer as terminal text and as one self-contained HTML page.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "model/identification.h"
#include "policy/policy_set.h"
#include "report/check_advice.h"

namespace phaseout::report {

// One device in the answer. Text fields hold device bytes already made valid UTF-8; renderers
// escape them for the terminal or HTML.
struct CheckDevice {
  std::string address;
  std::string mac;
  std::string maker;        // display name of the manufacturer, "" if not identified
  std::string brand;        // display name of the label when it differs from the maker, else ""
  std::string device_type;  // e.g. "camera", "" if unknown
  std::string model;
  std::string firmware;
  std::vector<std::string> recognised_by;  // plain-language phrases, at most a few
  std::vector<std::string> recognised_kinds;  // the same kinds of evidence in words, without values
  model::VerdictStatus status = model::VerdictStatus::kClear;  // under the chosen policy
  std::string clause;
  std::string reason;
  std::vector<std::string> other_policies;  // policy ids that cover it when the chosen one does not
  std::vector<std::string> web_pages;       // "http://a:80/" for ports that answered HTTP(S)
  std::vector<uint16_t> open_ports;
};

// The whole answer. Value type.
struct CheckResult {
  std::string tool_version;
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;
  std::string policy_id;
  std::vector<std::string> subnets;  // "192.168.1.0/24 on eth0"
  std::vector<std::string> notes;    // e.g. a clamped network, said once
  uint64_t addresses_checked = 0;
  uint64_t devices_seen = 0;
  std::vector<CheckDevice> covered;       // prohibited or review under the chosen policy
  std::vector<CheckDevice> elsewhere;     // clear under it, covered by another shipped policy
  std::vector<CheckDevice> unidentified;  // no manufacturer identified
  uint64_t not_covered = 0;               // identified as made by makers no shipped policy covers
  std::vector<std::string> limits;        // what this check could not do, in plain words
  bool incomplete = false;                // stopped early, interface lost, errors on part of it
};

// Accumulates DeviceReports into a CheckResult. Not thread-safe (feed it under the caller's
// output mutex). REQUIRES: `policies`, `chosen` and `advice` outlive the builder; each report
// carries verdicts for every policy of `policies` (the check classifies with all of them so it
// can say when another policy covers a device).
class CheckResultBuilder {
 public:
  CheckResultBuilder(const policy::PolicySet& policies, const policy::Policy& chosen,
                     const CheckAdvice& advice);
  void Add(const model::DeviceReport& report);
  // Moves the accumulated devices into `result` (every list sorted by address) and returns it.
  CheckResult Finish(CheckResult result);

 private:
  CheckDevice Describe(const model::DeviceReport& report) const;
  const policy::PolicySet& policies_;
  const policy::Policy& chosen_;
  const CheckAdvice& advice_;
  uint64_t seen_ = 0;
  uint64_t not_covered_ = 0;
  std::vector<CheckDevice> covered_, elsewhere_, unidentified_;
};

// Most unidentified devices listed one by one; the rest are counted.
inline constexpr size_t kCheckMaxListedUnidentified = 40;

// Plain text for a terminal, wrapped at 78 columns; device bytes shown as printable ASCII.
void WriteCheckText(std::ostream& out, const CheckResult& result, const policy::Policy& policy,
                    const CheckAdvice& advice);
// The same answer as one self-contained HTML page (inline CSS, no scripts, no external
// resources), laid out to print on one or two A4/Letter pages for a typical result.
void WriteCheckHtml(std::ostream& out, const CheckResult& result, const policy::Policy& policy,
                    const CheckAdvice& advice);

}  // namespace phaseout::report
