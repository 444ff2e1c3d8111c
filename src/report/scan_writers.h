// Renderers for `phaseout scan` results: NDJSON (the contract other tools read), one JSON
// document, CSV, and a human table with a summary. All stream: a writer gets Begin once,
// Device per host as hosts finish, End once, and keeps no reports (the table keeps nothing
// either; it uses fixed column widths). Field list and formats: docs/policies.md ("Output").
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/identification.h"
#include "report/scan_summary.h"

namespace phaseout::report {

enum class ScanFormat { kTable, kJson, kNdjson, kCsv };
// Parses "table", "json", "ndjson", "csv"; kInvalidArgument naming the choices otherwise.
Result<ScanFormat> ParseScanFormat(std::string_view name);

// Scan metadata known when the scan starts (the JSON document's "scan" object and the table's
// heading). Value type.
struct ScanInfo {
  struct PolicyRef {
    std::string id;
    std::string title;
  };
  std::string tool_version;          // e.g. PHASEOUT_VERSION
  std::string started_at;            // ISO 8601 UTC, e.g. "2026-11-26T06:00:00Z"
  std::vector<std::string> targets;  // as given on the command line
  std::vector<uint16_t> ports;
  std::vector<PolicyRef> policies;   // selected policies, in verdict order (CSV/table columns)
};

// One device as the NDJSON contract object (also the elements of the JSON document's
// "devices"): ip, open_ports, mac (null if empty), manufacturer (null if empty), brand,
// device_type, model, firmware, serial (null if empty), confidence, evidence [{probe, port,
// field, value, rule}], verdicts [{policy, status, reason, clause}], notes. Device bytes are
// made valid UTF-8 (SanitizeUtf8). Writes exactly one line ending in '\n'.
void WriteNdjson(std::ostream& out, const model::DeviceReport& report);

// CSV: a header row, then one row per host. Columns: ip, open_ports (space-separated), mac,
// manufacturer, brand, device_type, model, firmware, serial, confidence, one
// "verdict:<policy id>" column per policy (status), reasons ("<policy>: <reason>" joined by
// " | "), evidence ("<probe>/<port> <field>=<value> [<rule>]" joined by " | "), notes.
void WriteCsvHeader(std::ostream& out, const std::vector<std::string>& policy_ids);
void WriteCsvRow(std::ostream& out, const model::DeviceReport& report, const std::vector<std::string>& policy_ids);

// The whole JSON document {scan, devices, summary} for reports already in memory.
void WriteJson(std::ostream& out, const ScanInfo& info, const std::vector<model::DeviceReport>& reports,
               const ScanSummary& summary);
// The human table plus summary for reports already in memory.
void WriteTable(std::ostream& out, const ScanInfo& info, const std::vector<model::DeviceReport>& reports,
                const ScanSummary& summary);
// The table's closing summary alone: hosts, identified, by manufacturer, verdicts per policy.
void WriteTableSummary(std::ostream& out, const ScanSummary& summary);

// Streaming writer for one scan. Not thread-safe: call from one thread or under a mutex.
// REQUIRES: Begin, then any number of Device, then End, each on the same stream.
class ScanWriter {
 public:
  virtual ~ScanWriter() = default;
  virtual void Begin(const ScanInfo& info) = 0;
  virtual void Device(const model::DeviceReport& report) = 0;
  virtual void End(const ScanSummary& summary) = 0;
};

// A writer for `format` on `out` (which must outlive it).
std::unique_ptr<ScanWriter> MakeScanWriter(ScanFormat format, std::ostream& out);

}  // namespace phaseout::report
