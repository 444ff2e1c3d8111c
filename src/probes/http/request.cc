// HTTP GET request bytes. What is sent and why:
//
//   GET <path> HTTP/1.1\r\n        HTTP/1.1 so virtual-host aware servers answer normally;
//                                   <path> comes only from the reviewed follow-up table.
//   Host: <ip>[:port]\r\n          required by HTTP/1.1 (RFC 9112 section 3.2); the address
//                                   we connected to, port omitted when it is the default.
//   User-Agent: phaseout/0.1 (inventory scan; +no-credentials)\r\n
//                                   honest identification for the device owner's logs.
//   Accept: */*\r\n                 any representation; we only read what comes back.
//   Connection: close\r\n           one request per connection: the reply ends at close
//                                   even when a device omits Content-Length.
//   \r\n
//
// Never sent: Authorization, cookies, bodies, or any method other than GET.
#include "probes/http/request.h"

#include <cassert>

#include "probes/common/request_identity.h"

namespace phaseout::probes::http {

bool IsSafeRequestPath(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > 256) return false;
  for (char c : path) {
    if (c <= 0x20 || c >= 0x7f || c == '@') return false;
  }
  return true;
}

std::string BuildGetRequest(const ProbeTarget& target, bool tls, std::string_view path) {
  assert(IsSafeRequestPath(path));  // programmer error: paths come from a reviewed table
  std::string out;
  out.reserve(160 + path.size());
  out += "GET ";
  out += path;
  out += " HTTP/1.1\r\nHost: ";
  out += common::HostAuthority(target, tls ? 443 : 80);
  out += "\r\nUser-Agent: ";
  out += common::kUserAgent;
  out += "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  return out;
}

}  // namespace phaseout::probes::http
