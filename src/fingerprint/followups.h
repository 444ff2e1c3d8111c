// The follow-up table of the HTTP probe (data/followups/http.yaml): vendor knowledge owned by
// the rule data, next to the fingerprint rules that ask for each follow-up.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "fingerprint/rule_db.h"

namespace phaseout::fingerprint {

// One reviewed follow-up request. Value type.
struct FollowUpEntry {
  std::string id;                     // e.g. "hikvision.isapi_device_info", unique in the file
  std::string reads;                  // parser name of the HTTP probe, e.g. "isapi_device_info"
  std::string path;                   // fixed request target: starts with '/', printable ASCII, no space
  std::vector<std::string> asked_by;  // rule ids whose match on this port makes it relevant
  bool when_html = false;             // also relevant when GET / returned an HTML page
  std::vector<std::string> adds;      // what its reply can tell: manufacturer, brand, model, firmware, serial
  std::string reason;
  std::string source;                 // public basis: URL or owner/repo path
  int line = 0;
};

// Reads and validates the follow-up table at `path` against `rules`: known fields only, every
// `asked_by` id a rule of `rules`, each entry asked for by something, `adds` from the list above,
// a safe fixed path, ids unique, a source. Errors are kInvalidArgument "<path>:<line>: ..." (or
// kNotFound when the file is missing).
Result<std::vector<FollowUpEntry>> LoadFollowUps(const std::string& path, const RuleDb& rules);

}  // namespace phaseout::fingerprint
