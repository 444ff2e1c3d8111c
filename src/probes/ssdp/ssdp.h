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

// Where a LOCATION header points, when it is a plain http:// URL with a literal IPv4 host.
struct DescriptionUrl {
  std::string host;  // dotted quad
  uint16_t port = 80;
  std::string path;  // starts with '/', no blanks, control bytes or '@'
};

// Parses `location`; false for anything else (https, names, userinfo, odd bytes, > 512 bytes).
bool ParseLocation(std::string_view location, DescriptionUrl* out);

// The request for the UPnP device description (UPnP Device Architecture 2.0 section 2.1): a
// plain GET of the LOCATION path with the same identity headers as the http probe.
std::string BuildDescriptionRequest(const DescriptionUrl& url);

// Parses an HTTP reply carrying the device description XML into upnp.* observations
// (probe "upnp", port url.port): upnp.status, upnp.manufacturer, upnp.manufacturer_url,
// upnp.model_name, upnp.model_number, upnp.model_description, upnp.serial, upnp.udn,
// upnp.friendly_name, upnp.device_type; upnp.parse_error when it is not one.
std::vector<model::Observation> ParseDescriptionReply(std::string_view reply, uint16_t port);

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
