// Multicast DNS / DNS-Service Discovery (RFC 6762, RFC 6763) over UDP 5353: a one-shot PTR
// query for the service types cameras, recorders and other embedded devices announce, and a
// bounded parser of the answers (PTR, SRV, TXT, A). Pure functions; the "mdns" datagram probe
// glues them to the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/datagram.h"

namespace phaseout::probes::mdns {

inline constexpr uint16_t kPort = 5353;
// The IPv4 mDNS group (RFC 6762 section 3).
inline constexpr const char* kMulticastGroup = "224.0.0.251";

// Service types asked for, each a PTR question in one query datagram:
//   _services._dns-sd._udp.local  every type the device announces (RFC 6763 section 9)
//   _http._tcp.local              web interface (RFC 6763 section 7; IANA service name "http")
//   _rtsp._tcp.local              streaming server (IANA service name "rtsp")
//   _axis-video._tcp.local        Axis network video (used by Axis devices and python-zeroconf
//                                 examples; TXT carries macaddress=)
//   _device-info._tcp.local       model hint record (TXT model=) some stacks add
// ONVIF defines no mDNS service type (it uses WS-Discovery, probe "onvif"), so none is asked.
inline constexpr const char* kServiceTypes[] = {"_services._dns-sd._udp.local", "_http._tcp.local",
                                                "_rtsp._tcp.local", "_axis-video._tcp.local",
                                                "_device-info._tcp.local"};

// Parser limits: a hostile reply can not grow a scan result past these.
inline constexpr size_t kMaxQuestions = 16;     // questions skipped before the answers
inline constexpr size_t kMaxRecords = 64;       // resource records read from one datagram
inline constexpr size_t kMaxTxtStrings = 32;    // strings read from one TXT record
inline constexpr size_t kMaxObservations = 128; // observations from one datagram
inline constexpr int kMaxPointerJumps = 16;     // name compression pointers followed per name

// The query datagram: ID 0, flags 0 (a standard query), one PTR/IN question per entry of
// kServiceTypes, no answers. `unicast_response` sets the QU bit (RFC 6762 section 5.4), used
// for the multicast form so devices answer this host directly; our source port is not 5353,
// so responders treat it as a legacy one-shot query and answer unicast (section 6.7).
// Asking changes nothing on a device.
std::string BuildQuery(bool unicast_response);

// Parses one reply datagram into mdns.* observations (see docs/probe-authoring.md, mdns):
// mdns.reply (record counts), mdns.service_type, mdns.instance, mdns.hostname, mdns.srv
// ("<port> <target>"), mdns.ipv4, mdns.txt.<lower-case key> and mdns.limit. Anything that is
// not a DNS response (a query, too short, bad names or lengths): one mdns.parse_error plus
// mdns.raw_prefix. Records read before a malformed one are kept.
std::vector<model::Observation> ParseReply(std::string_view datagram);

// The "mdns" datagram probe. Stateless, thread-safe.
class MdnsProbe final : public DatagramProbe {
 public:
  MdnsProbe();
  const DatagramProbeSpec& Spec() const override { return spec_; }
  std::vector<std::string> Requests(const DatagramTarget& target, const DatagramContext& context) const override;
  std::vector<model::Observation> ParseReply(std::string_view datagram) const override;

 private:
  DatagramProbeSpec spec_;
};

}  // namespace phaseout::probes::mdns
