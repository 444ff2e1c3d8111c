// Format names, dispatch and the helpers every importer shares.
#include "imports/import.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "imports/import_internal.h"

namespace phaseout::imports {

Result<ImportFormat> ParseImportFormat(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "nmap" || n == "nmap-xml") return ImportFormat::kNmapXml;
  if (n == "masscan" || n == "masscan-json") return ImportFormat::kMasscanJson;
  if (n == "csv" || n == "register") return ImportFormat::kCsvRegister;
  if (n == "dhcpd" || n == "dhcpd-leases") return ImportFormat::kDhcpdLeases;
  if (n == "dnsmasq" || n == "dnsmasq-leases") return ImportFormat::kDnsmasqLeases;
  if (n == "ip-neigh" || n == "neigh") return ImportFormat::kIpNeigh;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown import format '" + std::string(name) +
                       "' (choose nmap, masscan, csv, dhcpd, dnsmasq or ip-neigh)");
}

const char* ImportFormatName(ImportFormat format) {
  switch (format) {
    case ImportFormat::kNmapXml: return "nmap";
    case ImportFormat::kMasscanJson: return "masscan";
    case ImportFormat::kCsvRegister: return "csv";
    case ImportFormat::kDhcpdLeases: return "dhcpd";
    case ImportFormat::kDnsmasqLeases: return "dnsmasq";
    case ImportFormat::kIpNeigh: return "ip-neigh";
  }
  return "unknown";
}

Result<ImportResult> ImportHosts(ImportFormat format, std::string_view input,
                                 const ImportOptions& options) {
  switch (format) {
    case ImportFormat::kNmapXml: return ParseNmapXml(input, options);
    case ImportFormat::kMasscanJson: return ParseMasscanJson(input, options);
    case ImportFormat::kCsvRegister: return ParseCsvRegister(input, options);
    case ImportFormat::kDhcpdLeases: return ParseDhcpdLeases(input, options);
    case ImportFormat::kDnsmasqLeases: return ParseDnsmasqLeases(input, options);
    case ImportFormat::kIpNeigh: return ParseIpNeigh(input, options);
  }
  return MakeError(ErrorCode::kInternal, "unhandled import format");
}

const std::vector<std::string>& RegisterFields() {
  static const std::vector<std::string> kFields = {
      "ip",          "mac",         "hostname", "manufacturer", "brand",    "model",   "serial",
      "firmware",    "device_type", "description", "location",  "asset_id", "supplier"};
  return kFields;
}

std::string NormaliseMac(std::string_view text) {
  text = Trim(text);
  std::string hex;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c != ':' && c != '-' && c != '.') {
      return "";
    }
    if (hex.size() > 12) return "";
  }
  if (hex.size() != 12) return "";
  // Separators, if any, must sit on byte (xx:xx) or Cisco group (xxxx.xxxx) boundaries.
  if (text.size() != 12 && text.size() != 17 && text.size() != 14) return "";
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (!out.empty()) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

namespace internal {

void Observe(model::HostScan* host, std::string_view probe, uint16_t port, std::string key,
             std::string_view value) {
  if (value.empty()) return;
  host->observations.push_back(
      model::Observation{std::string(probe), port, std::move(key), std::string(value)});
}

void MarkSource(model::HostScan* host, const char* format_name, const std::string& where) {
  std::string source = std::string("import:") + format_name;
  host->observations.push_back(model::Observation{"import", 0, "import.source", source});
  host->notes.push_back("source: " + source + " (" + where + ")");
}

bool IsIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

void NormalisePorts(model::HostScan* host) {
  auto& p = host->open_ports;
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
}

Error ParseError(const char* format_name, const std::string& where, const std::string& message) {
  return MakeError(ErrorCode::kParse, std::string(format_name) + ": " + where + ": " + message);
}

}  // namespace internal
}  // namespace phaseout::imports
