// Hikvision SADP (Search Active Devices Protocol) over UDP 37020: the XML inquiry and the
// ProbeMatch reply parser. Pure functions; the "sadp" datagram probe glues them to the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/datagram.h"

namespace phaseout::probes::sadp {

inline constexpr uint16_t kPort = 37020;
// SADP multicast group (Haicam/Haicam golang/discovery.go sends the inquiry there).
inline constexpr const char* kMulticastGroup = "239.255.255.250";

// The inquiry datagram, exactly:
//   <?xml version="1.0" encoding="utf-8"?><Probe><Uuid>UUID</Uuid><Types>inquiry</Types></Probe>
// `uuid` is a fresh upper-case UUID (the SADP tool's habit). "inquiry" asks every device to
// describe itself; it changes nothing on the device (the other SADP types, e.g. update/reset,
// are never sent). Source: Haicam/Haicam golang/discovery.go (probe code and a real reply).
std::string BuildInquiry(std::string_view uuid);

// Parses one reply datagram into sadp.* observations (see docs/probe-authoring.md, sadp).
// Not SADP (not XML, another root, too deep): one sadp.parse_error observation.
std::vector<model::Observation> ParseReply(std::string_view datagram);

// The "sadp" datagram probe. Stateless, thread-safe.
class SadpProbe final : public DatagramProbe {
 public:
  SadpProbe();
  const DatagramProbeSpec& Spec() const override { return spec_; }
  std::vector<std::string> Requests(const DatagramTarget& target, const DatagramContext& context) const override;
  std::vector<model::Observation> ParseReply(std::string_view datagram) const override;

 private:
  DatagramProbeSpec spec_;
};

}  // namespace phaseout::probes::sadp
