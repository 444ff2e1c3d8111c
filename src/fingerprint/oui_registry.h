// The IEEE MAC address registry (MA-L, MA-M, MA-S) from Debian's ieee-data package: maps a
// MAC address to the organisation that registered its prefix. Fingerprint rules then read the
// organisation name as the observation `mac.oui.org`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace phaseout::fingerprint {

// Immutable after load; const methods are thread-safe.
class OuiRegistry {
 public:
  // Loads oui.csv, mam.csv and oui36.csv from `dir` (default /usr/share/ieee-data). oui.csv is
  // required; the others are optional. Fails with kNotFound or kParse naming the file and line.
  static Result<OuiRegistry> Load(const std::string& dir = "/usr/share/ieee-data");
  // Parses one registry file's text (the IEEE CSV layout: Registry,Assignment,Organization
  // Name,Organization Address). Pure; used by Load and by tests.
  Status AddCsv(std::string_view csv_text, const std::string& file_name);

  // Returns the organisation for `mac` ("aa:bb:cc:dd:ee:ff", '-' or no separators also
  // accepted), the most specific block first (MA-S, MA-M, MA-L); empty iff unknown or malformed.
  std::string Lookup(std::string_view mac) const;
  size_t size() const { return by_24_.size() + by_28_.size() + by_36_.size(); }

 private:
  std::unordered_map<uint32_t, std::string> by_24_;
  std::unordered_map<uint32_t, std::string> by_28_;
  std::unordered_map<uint64_t, std::string> by_36_;
};

}  // namespace phaseout::fingerprint
