// How phaseout identifies itself in every request it sends: a fixed, honest User-Agent that
// tells a device owner reading their logs what the traffic is and that no login is attempted.
#pragma once

#include <string>
#include <string_view>

#include "probes/probe.h"

namespace phaseout::probes::common {

inline constexpr std::string_view kUserAgent = "phaseout/0.1 (inventory scan; +no-credentials)";

// The authority part of a URL or Host header: "ip" or "ip:port", IPv6 literals in brackets
// ("[::1]:8080"). The port is left out iff it equals `default_port`.
inline std::string HostAuthority(const ProbeTarget& target, uint16_t default_port) {
  std::string host = target.ip.find(':') != std::string::npos ? "[" + target.ip + "]" : target.ip;
  if (target.port != default_port) host += ":" + std::to_string(target.port);
  return host;
}

}  // namespace phaseout::probes::common
