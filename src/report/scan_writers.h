// Renderers for `phaseout scan` results: NDJSON (the contract other tools read), one JSON
// document, CSV, and a human table with a summary. A writer gets Begin once, Device per host
// (the CLI sorts hosts by address first, see scan_order.h), End once, and keeps no reports.
// Every format ends with a trailer saying whether the scan was complete, so partial output is
// recognisable (and output without its trailer was cut short). Field list and formats:
// docs/policies.md ("Output").
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
inline constexpr size_t kTableWidePolicies = 2;
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
  std::string scan_id;               // unique per run, e.g. "20261126T060000Z-3f9a1c2e"
  std::string ruleset_version;       // engine::Knowledge::ruleset_version, e.g. "sha256:..."
  // When already known at Begin (the CLI writes after the scan): why the scan is incomplete.
  // The table shows them above the rows; every format repeats them in its trailer.
  std::vector<std::string> incomplete_reasons;
};

// Context stamped on every NDJSON record of one scan.
struct RecordContext {
  std::string scan_id;
  std::string ruleset_version;
  std::string time;  // ISO 8601 UTC: when the host finished (device), started/finished (scan)
};

// One device as the NDJSON contract object (also the elements of the JSON document's
// "devices"): ip, open_ports, mac (null if empty), manufacturer (null if empty), brand,
// device_type, model, firmware, serial (null if empty), confidence, evidence [{probe, port,
// field, value, rule}], verdicts [{policy, status, reason, clause}], notes. Device bytes are
// made valid UTF-8 (SanitizeUtf8). Writes exactly one line ending in '\n'.
// With `context`, the record also carries "type": "device", "scan_id", "time" and "ruleset".
void WriteNdjson(std::ostream& out, const model::DeviceReport& report, const RecordContext* context = nullptr);

// CSV: a header row, then one row per host, then one trailer row whose first field starts with
// "# scan_end" (complete=true|false, scan id, rule set, reasons) and whose other fields are
// empty. Columns: ip, open_ports (space-separated), mac, manufacturer, brand, device_type,
// model, firmware, serial, confidence, one "verdict:<policy id>" column per policy (status),
// reasons ("<policy>: <reason>" joined by " | "), evidence ("<probe>/<port> <field>=<value>
// [<rule>]" joined by " | "), notes.
void WriteCsvHeader(std::ostream& out, const std::vector<std::string>& policy_ids);
void WriteCsvRow(std::ostream& out, const model::DeviceReport& report, const std::vector<std::string>& policy_ids);

// The whole JSON document {scan, devices, summary} for reports already in memory.
void WriteJson(std::ostream& out, const ScanInfo& info, const std::vector<model::DeviceReport>& reports,
               const ScanSummary& summary);
// The human table plus summary for reports already in memory. With more than
// kTableWidePolicies policies the table is compact: one VERDICT column (the worst status and
// how many policies give it) and one letter per policy (P prohibited, R review, U unknown,
// C clear) under numbered headings, with the numbered policy list above the table.
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
  // `seen_at`: when the host finished (ISO 8601), stamped on NDJSON records; may be empty.
  virtual void Device(const model::DeviceReport& report, const std::string& seen_at = std::string()) = 0;
  virtual void End(const ScanSummary& summary) = 0;
};

// A writer for `format` on `out` (which must outlive it).
std::unique_ptr<ScanWriter> MakeScanWriter(ScanFormat format, std::ostream& out);

}  // namespace phaseout::report
