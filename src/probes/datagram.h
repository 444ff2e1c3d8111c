// The datagram (UDP) probe contract: a discovery probe builds its request datagrams and parses
// reply datagrams; both are pure functions over bytes. The engine owns every socket, sends the
// requests unicast to each target (and to the probe's multicast group on `--discover`) and feeds
// every reply that arrives on the probe's socket to ParseReply. Nothing here touches the network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/probe.h"

namespace phaseout::probes {

// What a datagram probe may depend on besides the target. Value type.
struct DatagramContext {
  // SNMP v2c community given by the user (`--snmp-community`). Empty: the SNMP probe sends
  // nothing (phaseout never guesses a community: a guessed community is a credential).
  std::string snmp_community;
};

// Where a request goes: one target address (unicast) or the probe's multicast group.
struct DatagramTarget {
  std::string ip;          // dotted quad of the target or of the multicast group
  bool multicast = false;  // true for the local-segment discovery send
};

// Static description of a datagram probe. Value type.
struct DatagramProbeSpec {
  std::string name;             // "sadp", "dhip", "onvif", "ssdp", "mdns", "snmp"
  std::string description;      // names the protocol; shown by `phaseout probes`
  uint16_t port = 0;            // UDP destination port
  std::string multicast_group;  // IPv4 group for --discover ("" = no multicast form)
  std::vector<FieldSpec> fields;
};

// A datagram probe kind. Implementations are stateless and thread-safe.
class DatagramProbe {
 public:
  virtual ~DatagramProbe() = default;
  virtual const DatagramProbeSpec& Spec() const = 0;
  // The datagrams to send to `target` (usually one; ONVIF sends two). Empty: nothing to send
  // (e.g. SNMP without a community). Every datagram is documented where it is built.
  virtual std::vector<std::string> Requests(const DatagramTarget& target,
                                            const DatagramContext& context) const = 0;
  // Turns one reply datagram into observations (probe name = Spec().name, port = Spec().port).
  // Pure and bounded: any bytes give at most a few dozen observations, never an exception.
  // A reply that is not this protocol gives a single "<name>.parse_error" observation.
  virtual std::vector<model::Observation> ParseReply(std::string_view datagram) const = 0;
};

}  // namespace phaseout::probes
