// Compares a scan's results with the lab's ground truth: the measure behind the integration
// tests, `phaseout lab verify` and the scan-estate benchmark.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "tools/lab/estate.h"

namespace phaseout::lab {

// What the comparison needs of one scanned host (from a DeviceReport or an NDJSON line).
struct ScannedHost {
  std::string ip;
  std::vector<uint16_t> open_ports;
  std::string manufacturer, brand, device_type, model, firmware, serial;
};

// Parses `phaseout scan` NDJSON output (one object per line; records whose "type" is not
// "device", such as scan_start/scan_end, are skipped). kParse names the bad line.
Result<std::vector<ScannedHost>> ParseScanNdjson(const std::string& text);
// Parses the lab's truth NDJSON (TruthToJson lines). kParse names the bad line.
Result<std::vector<TruthEntry>> ParseTruthNdjson(const std::string& text);

struct TruthCheck {
  uint64_t devices = 0;            // truth entries of kind device
  uint64_t devices_expected = 0;   // ... with expect_identified
  uint64_t devices_agree = 0;      // every checked field agrees (see CompareWithTruth)
  uint64_t others = 0;             // refuse, silent and hostile addresses in the truth
  uint64_t others_agree = 0;       // not reported, or reported without a manufacturer
  uint64_t unexpected_hosts = 0;   // reported hosts the truth does not list as device/hostile
  uint64_t brand_unknown = 0;      // identified devices whose own-maker label stayed unknown
  uint64_t device_type_unknown = 0;  // identified devices whose type stayed unknown
  std::vector<std::string> mismatches;  // one line each, at most 50 kept
  // 1.0 iff everything agrees.
  double Agreement() const;
  bool Perfect() const { return mismatches.empty() && unexpected_hosts == 0; }
};

// Agreement rules, per truth address, looking only at `scanned_ports` (ports the scan tried;
// the truth lists every port a device listens on, e.g. a printer's 9100 that a default scan
// skips):
//  - device with no listening port among `scanned_ports`: not reported;
//  - device expected to be identified: reported, same open ports, same manufacturer; the same
//    brand where the label differs from the maker (OEM builds, group brands), else the brand
//    may stay unknown (an unbranded vendor UI does not show it) but never be wrong; device type,
//    model, firmware and serial, where the scan reports them, equal the truth (unknowns are
//    counted and shown);
//  - device not expected to be identified: reported with the same open ports, and with either
//    no manufacturer or the true one (never a wrong maker);
//  - refuse and silent addresses: not reported; hostile hosts: no manufacturer.
// Scanned hosts outside the truth count as unexpected.
TruthCheck CompareWithTruth(const std::vector<TruthEntry>& truth,
                            const std::vector<ScannedHost>& scanned,
                            const std::vector<uint16_t>& scanned_ports);

// A short human summary ("devices 2970/2970 agree, ...") plus the first mismatches.
std::string FormatTruthCheck(const TruthCheck& check);

}  // namespace phaseout::lab
