// Network interfaces for local-segment discovery: which IPv4 interfaces exist and which ones
// `--discover` may use (the ones named with --interface, or else the up, multicast-capable
// ones with a private address).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace phaseout::net {

// One IPv4 address of one interface. Value type.
struct Interface {
  std::string name;     // "eth0", "lo"
  std::string address;  // dotted quad
  int prefix_len = 0;   // from the netmask
  bool up = false;
  bool loopback = false;
  bool multicast = false;
};

// Every IPv4 interface address (getifaddrs). kIo if the list cannot be read.
Result<std::vector<Interface>> ListInterfaces();

// True iff `ip` is in 10/8, 172.16/12, 192.168/16 (RFC 1918) or 100.64/10 (RFC 6598).
bool IsPrivateIpv4(const std::string& ip);

// Chooses the discovery interfaces from `all`: those named in `names` (each name must exist
// and be up; loopback allowed when named, e.g. for the lab), or, when `names` is empty, every
// up, non-loopback interface with a private address. Returns kInvalidArgument naming an
// unknown or down interface, kNotFound when nothing qualifies (the message says to name one).
Result<std::vector<Interface>> ChooseDiscoveryInterfaces(const std::vector<Interface>& all,
                                                         const std::vector<std::string>& names);

}  // namespace phaseout::net
