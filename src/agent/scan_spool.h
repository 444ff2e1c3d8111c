// Turns the NDJSON output of `phaseout scan` into spool entries: one start, chunks of at most
// 5,000 lines (and at most 4 MiB, under the server's 8 MiB body limit), one complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/spool.h"
#include "core/result.h"

namespace phaseout::agent {

// Settings of SpoolScanFile. Plain struct.
struct ScanSpoolOptions {
  std::string site;
  std::vector<std::string> scope;  // the scan's targets (addresses, CIDR blocks)
  std::string source = "agent";    // "agent" or "push" (scan --push)
  std::string scan_key;            // "" : the scan_id of the scan_start record
  size_t max_lines = 5000;         // CONTRACT: chunk max 5,000 lines
  size_t max_bytes = size_t{4} << 20;
};

// What was spooled.
struct SpooledScan {
  std::string scan_key;
  uint64_t records = 0;   // NDJSON lines, scan_start and scan_end included
  size_t chunks = 0;
  bool complete = false;  // the scan_end record said complete (false too when it is missing)
};

// Reads `ndjson_path` (scan_start first; scan_end last when the scan finished) and appends
// start, chunks and complete to `spool`. Line i (1-based) gets sequence number i. Returns
// kInvalidArgument when the file is not the output of `phaseout scan --format ndjson`
// (empty, first line not a scan_start with a scan_id), kIo when spooling fails.
Result<SpooledScan> SpoolScanFile(Spool& spool, const std::string& ndjson_path, const ScanSpoolOptions& options);

}  // namespace phaseout::agent
