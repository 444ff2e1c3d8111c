// Test support: the reference NDJSON line parser (nlohmann::json SAX), against which the
// hand-written scanner of record.cc is checked. Not part of the library.
#pragma once

#include <string_view>

#include "core/result.h"
#include "inventory/record.h"

namespace phaseout::inventory::testing {

// What ParseScanRecord / ParseScanLine must return for `line` (same success, same message).
Result<ScanRecord> ReferenceParseScanRecord(std::string_view line);
Result<ScanLine> ReferenceParseScanLine(std::string_view line);

}  // namespace phaseout::inventory::testing
