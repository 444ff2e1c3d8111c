// Imports: turn what organisations already have (nmap XML, masscan JSON, CSV asset registers,
// ISC dhcpd and dnsmasq leases, `ip neigh` output) into the same model::HostScan records a scan
// produces, so the same identification (rules, MAC vendor via the OUI registry, model numbers)
// and the same policies apply. Field mapping per format: docs/imports.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/observation.h"

namespace phaseout::imports {

enum class ImportFormat { kNmapXml, kMasscanJson, kCsvRegister, kDhcpdLeases, kDnsmasqLeases, kIpNeigh };

// Parses "nmap", "masscan", "csv", "dhcpd", "dnsmasq", "ip-neigh" (also "nmap-xml",
// "masscan-json", "register"); kInvalidArgument naming the choices otherwise.
Result<ImportFormat> ParseImportFormat(std::string_view name);
// Canonical name ("nmap", "masscan", ...). The record source is "import:" + this name.
const char* ImportFormatName(ImportFormat format);

// Bounds and the CSV column mapping. Plain config struct.
struct ImportOptions {
  // CSV registers: explicit "column=field" pairs (column as in the header row, compared
  // case-insensitively; field from RegisterFields()). Columns not mapped explicitly are mapped
  // when their header names a field or a known alias ("IP Address" -> ip, "Make" ->
  // manufacturer, ...); the rest are ignored and listed in ImportResult::warnings.
  std::vector<std::pair<std::string, std::string>> column_map;
  char csv_delimiter = ',';
  // Hostile or mistaken input is refused, not half-read: more records than this is an error.
  size_t max_records = 5'000'000;
};

// The parsed records, in input order, plus notes for the user (ignored columns, skipped
// entries such as `ip neigh` FAILED lines). Every host carries its source twice: an
// observation {probe "import", key "import.source", value "import:<format>"} for stores, and a
// note "source: import:<format> (<where in the input>)" that the scan renderers print.
struct ImportResult {
  std::vector<model::HostScan> hosts;
  std::vector<std::string> warnings;
};

// Parses a whole input. Fails (kParse, message naming the line or element) on malformed input
// and (kInvalidArgument) on a bad column mapping; never returns a partial result. Pure
// function of its arguments; thread-safe.
Result<ImportResult> ImportHosts(ImportFormat format, std::string_view input,
                                 const ImportOptions& options = {});

// The per-format parsers behind ImportHosts (same contract).
Result<ImportResult> ParseNmapXml(std::string_view input, const ImportOptions& options);
Result<ImportResult> ParseMasscanJson(std::string_view input, const ImportOptions& options);
Result<ImportResult> ParseCsvRegister(std::string_view input, const ImportOptions& options);
Result<ImportResult> ParseDhcpdLeases(std::string_view input, const ImportOptions& options);
Result<ImportResult> ParseDnsmasqLeases(std::string_view input, const ImportOptions& options);
Result<ImportResult> ParseIpNeigh(std::string_view input, const ImportOptions& options);

// Register fields a CSV column can map to: ip, mac, hostname, manufacturer, brand, model,
// serial, firmware, device_type, description, location, asset_id, supplier. Each becomes the
// observation key "register.<field>" (ip and mac fill HostScan::ip / ::mac instead).
const std::vector<std::string>& RegisterFields();

// "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "AABBCCDDEEFF", "aa:bb:cc:dd:ee:ff" ->
// "aa:bb:cc:dd:ee:ff"; empty string if `text` is not a 48-bit MAC.
std::string NormaliseMac(std::string_view text);

}  // namespace phaseout::imports
