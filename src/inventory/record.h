// ScanRecord: the fields of one `phaseout scan` NDJSON line (a DeviceReport) that the inventory
// derives devices from. The whole line is stored verbatim as the raw event.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/identification.h"

namespace phaseout::inventory {

// Value type. Empty strings mean unknown.
struct ScanRecord {
  std::string ip;
  std::string mac;           // lower case aa:bb:cc:dd:ee:ff
  std::string serial;
  std::string manufacturer;  // canonical vendor id; "" when unknown
  std::string brand;
  std::string device_type;
  std::string model;
  std::string firmware;
  std::vector<std::string> prohibited;  // policies whose verdict is prohibited
  std::vector<std::string> review;      // policies whose verdict is review
};

// Parses one NDJSON line of `phaseout scan` (ip required; other fields optional, null or
// absent meaning unknown; manufacturer "unknown" counts as unknown). Fails with kParse saying
// what is wrong (not JSON, not an object, no ip, wrong field type).
Result<ScanRecord> ParseScanRecord(std::string_view line);

// What one NDJSON line of `phaseout scan` is: a device report (a "device" record, or a line
// with no "type"), a scan_end record saying the scan was incomplete, or another non-device
// record (scan_start, a complete scan_end, a device record flagged "out_of_scope": true, which
// answered from outside the scan's targets and is not ingested).
enum class ScanLineKind { kDevice, kIncompleteEnd, kOther };
struct ScanLine {
  ScanLineKind kind = ScanLineKind::kDevice;
  ScanRecord record;  // filled iff kind == kDevice
};
// Parses one NDJSON line of `phaseout scan` once: its kind and, for a device, the record.
// Fails as ParseScanRecord does (not JSON, not an object, and for devices no ip, wrong types).
Result<ScanLine> ParseScanLine(std::string_view line);

// The record of a DeviceReport without going through JSON (used by `phaseout scan --site`).
ScanRecord RecordFromReport(const model::DeviceReport& report);

// Normalises a MAC address to lower-case colon form; "" if it is not one (all-zero and
// broadcast addresses are not identities and also give "").
std::string NormaliseMac(std::string_view mac);

}  // namespace phaseout::inventory
