// ONVIF WS-Discovery over UDP 3702: the SOAP Probe messages and the ProbeMatches parser.
// Pure functions; the "onvif" datagram probe glues them to the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/datagram.h"

namespace phaseout::probes::onvif {

inline constexpr uint16_t kPort = 3702;
// WS-Discovery multicast group (WS-Discovery 2005/04 section 2.4; ONVIF Core section 7.3).
inline constexpr const char* kMulticastGroup = "239.255.255.250";
// Probe matches kept from one datagram (a device sends one; a proxy may send many).
inline constexpr size_t kMaxMatches = 8;
// Scopes kept per match.
inline constexpr size_t kMaxScopes = 64;

// A WS-Discovery Probe (SOAP 1.2, WS-Addressing 2004/08, WS-Discovery 2005/04) for one type:
//   Envelope xmlns=http://www.w3.org/2003/05/soap-envelope
//   Header: Action http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe,
//           MessageID uuid:<message_id>, To urn:schemas-xmlsoap-org:ws:2005:04:discovery
//   Body:   <Probe><Types>prefix:Name</Types></Probe>
// `type_prefix`/`type_ns`/`type_name`: dn / http://www.onvif.org/ver10/network/wsdl /
// NetworkVideoTransmitter, or tds / http://www.onvif.org/ver10/device/wsdl / Device. Two probes
// are sent because some devices match only one type and one Types element carrying both may
// match nothing (vicmaeg/onvif-discovery issue 49). Same shape as nmap nselib/wsdd.lua.
std::string BuildProbe(std::string_view message_id, std::string_view type_prefix, std::string_view type_ns,
                       std::string_view type_name);

// Parses one reply datagram into onvif.* observations. Not WS-Discovery: onvif.parse_error.
std::vector<model::Observation> ParseReply(std::string_view datagram);

// The "onvif" datagram probe (two Probe datagrams per target). Stateless, thread-safe.
class OnvifWsdProbe final : public DatagramProbe {
 public:
  OnvifWsdProbe();
  const DatagramProbeSpec& Spec() const override { return spec_; }
  std::vector<std::string> Requests(const DatagramTarget& target, const DatagramContext& context) const override;
  std::vector<model::Observation> ParseReply(std::string_view datagram) const override;

 private:
  DatagramProbeSpec spec_;
};

}  // namespace phaseout::probes::onvif
