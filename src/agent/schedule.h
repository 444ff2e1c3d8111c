// What the agent may scan and when: the checks a scheduled scan must pass before the scanner
// sees it, and the record of when each scan last ran.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "agent/config.h"
#include "core/result.h"

namespace phaseout::agent {

// Accepts `scan` iff its site is one of `bound_sites` (when that list is not empty: the sites
// the server bound the key to), its targets are addresses or CIDR blocks, and, when
// `allowed` is not empty, every target address lies inside `allowed`. Returns
// kInvalidArgument saying which rule refused it. Exclusions are not checked here: they are
// passed on to the scanner, which honours them.
Status CheckScheduledScan(const ScheduledScan& scan, const std::vector<std::string>& bound_sites,
                          const std::vector<std::string>& allowed);

// Key of a scheduled scan for the run record: site plus its targets and ports.
std::string ScheduleKey(const ScheduledScan& scan);

// When each scheduled scan last started (epoch seconds), kept in a small text file
// ("KEY<TAB>EPOCH" lines) in the spool folder so a restarted agent does not rescan at once.
class RunRecord {
 public:
  // Reads `path`; a missing or damaged file is an empty record (the worst case is one early scan).
  static RunRecord Load(const std::string& path);
  // iff the scan never ran or its interval has passed at `now`.
  bool Due(const ScheduledScan& scan, std::time_t now) const;
  // Seconds until the earliest of `scans` is due (0 when one is due now).
  uint32_t SecondsUntilNext(const std::vector<ScheduledScan>& scans, std::time_t now) const;
  // Records a start and writes the file (temporary file + rename). kIo on failure.
  Status MarkStarted(const ScheduledScan& scan, std::time_t when);

 private:
  std::string path_;
  std::map<std::string, std::time_t> last_;
};

}  // namespace phaseout::agent
