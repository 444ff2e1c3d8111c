// TCP port lists for scans: parsing `--ports`, the default set, and the printer-port guard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::net {

// The ports scanned when the user gives none, and why each one matters for the devices
// phaseout looks for (rapid7/recog, nmap/nmap nmap-service-probes; docs/probe-authoring.md;
// cost of each in docs/performance.md):
//   22     SSH identification string: names Huawei (HUAWEI-x.y, VRP), MikroTik (ROSSSH) and
//          other network gear without logging in (rapid7/recog xml/ssh_banners.xml)
//   80     HTTP web UI: Server headers (App-webs, DNVRS-Webs, ...), login pages, ISAPI/CGI paths
//   443    HTTPS web UI: the same over TLS, plus the certificate subject/issuer
//   554    RTSP streaming: Server header, Public methods, auth realm
//   7547   TR-069/CWMP connection-request port of ONTs and home gateways: its 401 Digest realm
//          names the CPE maker (HuaweiHomeGateway, cpe@zte.com; rapid7/recog xml/http_wwwauth.xml)
//   8000   Hikvision SDK ("IPCam control") port; also a common alternate HTTP port
//   8080   alternate HTTP web UI used by many recorders and OEM builds
//   8443   alternate HTTPS; Hikvision SDK-over-TLS (SADP SDKOverTLSPort)
//   37777  Dahua binary SDK (DVRIP) port
const std::vector<uint16_t>& DefaultPorts();

// Ports 9100-9107 (raw printing / JetDirect): a printer prints whatever bytes arrive there,
// so nmap and phaseout skip them unless explicitly allowed.
bool IsPrinterPort(uint16_t port);

// A parsed port list.
struct PortList {
  std::vector<uint16_t> ports;        // ascending, unique, never empty
  std::vector<std::string> warnings;  // e.g. the printer ports that were removed
};

// Parses "80,443,8000-8010" (ports 1-65535, ranges inclusive, spaces allowed around items).
// Printer ports are removed with a warning naming them unless `allow_printer_ports`.
// Returns kInvalidArgument naming the bad item on malformed input, on port 0 or > 65535, on a
// reversed range, or when nothing is left to scan.
Result<PortList> ParsePorts(std::string_view text, bool allow_printer_ports = false);

}  // namespace phaseout::net
