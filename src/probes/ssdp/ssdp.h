// SSDP (UPnP discovery, UDP 1900): the M-SEARCH request and the reply parser. Pure functions;
// the "ssdp" datagram probe glues them to the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/datagram.h"

namespace phaseout::probes::ssdp {

inline constexpr uint16_t kPort = 1900;
inline constexpr const char* kMulticastGroup = "239.255.255.250";

// An M-SEARCH for root devices (UPnP Device Architecture 2.0 section 1.3.2):
//   M-SEARCH * HTTP/1.1\r\nHOST: <host>:1900\r\nMAN: "ssdp:discover"\r\n[MX: 1\r\n]
//   ST: upnp:rootdevice\r\nUSER-AGENT: phaseout/0.1 UPnP/2.0 inventory-scan/0.1\r\n\r\n
// HOST is the multicast group (then MX: 1, the one-second reply window) or the target (unicast
// search: no MX). ST upnp:rootdevice asks for one reply per device, not one per service
// (ssdp:all would multiply replies). Searching changes nothing on the device.
std::string BuildSearch(std::string_view host, bool multicast);

// Parses one reply ("HTTP/1.1 200 OK" with SERVER, LOCATION, ST, USN) into ssdp.* observations.
// A NOTIFY or anything else: ssdp.parse_error.
std::vector<model::Observation> ParseReply(std::string_view datagram);

// The "ssdp" datagram probe. Stateless, thread-safe.
class SsdpProbe final : public DatagramProbe {
 public:
  SsdpProbe();
  const DatagramProbeSpec& Spec() const override { return spec_; }
  std::vector<std::string> Requests(const DatagramTarget& target, const DatagramContext& context) const override;
  std::vector<model::Observation> ParseReply(std::string_view datagram) const override;

 private:
  DatagramProbeSpec spec_;
};

}  // namespace phaseout::probes::ssdp
