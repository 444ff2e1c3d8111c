// Dahua DHIP discovery over UDP 37810: the framed DHDiscover.search request and the reply
// parser. Pure functions; the "dhip" datagram probe glues them to the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/datagram.h"

namespace phaseout::probes::dhip {

inline constexpr uint16_t kPort = 37810;
// DHIP multicast group (Haicam/Haicam golang/discovery.go; rroller/dahua discovery.py).
inline constexpr const char* kMulticastGroup = "239.255.255.251";
inline constexpr size_t kHeaderSize = 32;

// The search datagram: a 32-byte DHIP header then the JSON body
//   {"method":"DHDiscover.search","params":{"mac":"","uni":1}}\n
// Header (little-endian): u32 0x00000020 (header size) | "DHIP" | 8 zero bytes (session and
// request id) | u64 body length | u64 body length again. Real devices ignore bare JSON: the
// framing is required (rroller/dahua custom_components/dahua/discovery.py, tested on VTO2000A,
// DHI-NVR5464, VTH5221D; Haicam/Haicam golang/discovery.go). A search only asks devices to
// describe themselves; no login, no configuration method is ever sent.
std::string BuildSearch();

// Parses one reply datagram into dhip.* observations. Not DHIP: one dhip.parse_error.
std::vector<model::Observation> ParseReply(std::string_view datagram);

// The "dhip" datagram probe. Stateless, thread-safe.
class DhipProbe final : public DatagramProbe {
 public:
  DhipProbe();
  const DatagramProbeSpec& Spec() const override { return spec_; }
  std::vector<std::string> Requests(const DatagramTarget& target, const DatagramContext& context) const override;
  std::vector<model::Observation> ParseReply(std::string_view datagram) const override;

 private:
  DatagramProbeSpec spec_;
};

}  // namespace phaseout::probes::dhip
