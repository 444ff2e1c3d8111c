// SNMP v2c GET of sysDescr, sysObjectID and sysName (UDP 161), only with a community the user
// supplies: the BER request builder and the response parser. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"
#include "probes/datagram.h"

namespace phaseout::probes::snmp {

inline constexpr uint16_t kPort = 161;

// A GetRequest (RFC 3416 section 4.2.1) in an SNMPv2c message (RFC 1901), BER encoded:
//   30 L  02 01 01 (version 2c)  04 L <community>
//   a0 L  02 04 <request-id>  02 01 00 (error-status)  02 01 00 (error-index)
//         30 L  30 0c 06 08 2b 06 01 02 01 01 01 00 05 00   sysDescr.0    1.3.6.1.2.1.1.1.0
//               30 0c 06 08 2b 06 01 02 01 01 02 00 05 00   sysObjectID.0 1.3.6.1.2.1.1.2.0
//               30 0c 06 08 2b 06 01 02 01 01 05 00 05 00   sysName.0     1.3.6.1.2.1.1.5.0
// A GET only reads; the three objects are in the SNMPv2-MIB system group (RFC 3418).
// REQUIRES: community non-empty and at most 255 bytes.
std::string BuildGet(std::string_view community, uint32_t request_id);

// Parses a GetResponse into snmp.sysdescr, snmp.sysobjectid (dotted), snmp.sysname,
// snmp.error_status (when not 0). Anything else: snmp.parse_error.
std::vector<model::Observation> ParseReply(std::string_view datagram);

// The "snmp" datagram probe: sends nothing unless DatagramContext::snmp_community is set.
// No multicast form. Stateless, thread-safe.
class SnmpProbe final : public DatagramProbe {
 public:
  SnmpProbe();
  const DatagramProbeSpec& Spec() const override { return spec_; }
  std::vector<std::string> Requests(const DatagramTarget& target, const DatagramContext& context) const override;
  std::vector<model::Observation> ParseReply(std::string_view datagram) const override;

 private:
  DatagramProbeSpec spec_;
};

}  // namespace phaseout::probes::snmp
