// libFuzzer target: every importer (nmap XML, masscan JSON, CSV register, dhcpd and dnsmasq
// leases, ip neigh) on arbitrary bytes; the first byte picks the format. Invariants: a parser
// either fails with a message or returns hosts that each carry their import.source, a valid
// MAC or none, and sorted unique open ports.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "imports/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout::imports;
  if (size < 1 || size > 256 * 1024) return 0;  // bound the work per input
  static const ImportFormat kFormats[] = {ImportFormat::kNmapXml, ImportFormat::kMasscanJson,
                                          ImportFormat::kCsvRegister, ImportFormat::kDhcpdLeases,
                                          ImportFormat::kDnsmasqLeases, ImportFormat::kIpNeigh};
  ImportFormat format = kFormats[data[0] % 6];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ImportOptions options;
  options.max_records = 1000;
  if (data[0] & 0x80) options.column_map = {{"ip", "ip"}, {"make", "manufacturer"}};
  auto r = ImportHosts(format, text, options);
  if (!r) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  if (r->hosts.size() > options.max_records) std::abort();
  for (const auto& h : r->hosts) {
    bool has_source = false;
    for (const auto& o : h.observations) {
      if (o.key.empty()) std::abort();
      has_source = has_source || o.key == "import.source";
    }
    if (!has_source) std::abort();
    if (!h.mac.empty() && NormaliseMac(h.mac) != h.mac) std::abort();
    if (!std::is_sorted(h.open_ports.begin(), h.open_ports.end())) std::abort();
    if (std::adjacent_find(h.open_ports.begin(), h.open_ports.end()) != h.open_ports.end()) std::abort();
  }
  return 0;
}
