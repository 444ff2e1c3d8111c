// `ip neigh` (iproute2) output -> HostScans: one line per neighbour,
// "<address> dev <ifname> lladdr <mac> [router] <STATE>". Entries without a link-layer
// address (FAILED, INCOMPLETE) say nothing about a device and are skipped.
#include <string>
#include <vector>

#include "core/strings.h"
#include "imports/import.h"
#include "imports/import_internal.h"

namespace phaseout::imports {

Result<ImportResult> ParseIpNeigh(std::string_view input, const ImportOptions& options) {
  constexpr const char* kFormat = "ip-neigh";
  ImportResult result;
  uint64_t line_no = 0;
  size_t without_mac = 0;
  for (std::string_view line : Split(input, '\n')) {
    ++line_no;
    line = Trim(line);
    if (line.empty()) continue;
    std::string where = "line " + std::to_string(line_no);
    std::vector<std::string_view> f;
    for (std::string_view part : Split(line, ' ')) {
      if (!part.empty() && part != "\t") f.push_back(part);
    }
    if (!internal::IsIpAddress(f[0])) {
      return internal::ParseError(kFormat, where,
                                  "'" + EscapeBytes(f[0], 64) + "' is not an address (expected `ip neigh` output)");
    }
    std::string mac;
    std::string state;
    for (size_t k = 1; k < f.size(); ++k) {
      if (f[k] == "lladdr" && k + 1 < f.size()) {
        mac = NormaliseMac(f[k + 1]);
        if (mac.empty()) {
          return internal::ParseError(kFormat, where, "bad lladdr '" + EscapeBytes(f[k + 1], 64) + "'");
        }
      }
    }
    if (f.size() > 1) state = std::string(f.back());
    if (mac.empty()) {
      ++without_mac;
      continue;
    }
    if (result.hosts.size() >= options.max_records) {
      return internal::ParseError(kFormat, where, "more than " + std::to_string(options.max_records) + " entries");
    }
    model::HostScan host;
    host.ip = std::string(f[0]);
    host.mac = mac;
    internal::Observe(&host, "ip-neigh", 0, "neigh.state", state);
    internal::MarkSource(&host, kFormat, where);
    result.hosts.push_back(std::move(host));
  }
  if (without_mac > 0) {
    result.warnings.push_back(std::to_string(without_mac) +
                              " entries without a link-layer address (FAILED/INCOMPLETE) were skipped");
  }
  return result;
}

}  // namespace phaseout::imports
