// libFuzzer target: one datagram through every discovery reply parser (SADP XML, DHIP framing +
// JSON, WS-Discovery SOAP, SSDP, SNMP BER). The first byte picks the parser. Checks the documented bounds: no
// crash, a bounded number of observations, every value within the discovery value cap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/common/discovery_text.h"
#include "probes/common/xml_reply.h"
#include "probes/dhip/dhip.h"
#include "probes/onvif/wsd.h"
#include "probes/sadp/sadp.h"
#include "probes/snmp/snmp.h"
#include "probes/ssdp/ssdp.h"

using namespace phaseout::probes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 65536) return 0;  // a UDP datagram is at most 65507 bytes
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<phaseout::model::Observation> obs;
  switch (data[0] % 5) {
    case 0: obs = sadp::ParseReply(bytes); break;
    case 1: obs = dhip::ParseReply(bytes); break;
    case 2: obs = onvif::ParseReply(bytes); break;
    case 3: obs = ssdp::ParseReply(bytes); break;
    default: obs = snmp::ParseReply(bytes); break;
  }
  // At most every XML field plus a few fixed keys (ONVIF: scopes split per match).
  if (obs.size() > common::kMaxXmlFields * 2 + onvif::kMaxMatches * (onvif::kMaxScopes + 8) + 8) __builtin_trap();
  for (const auto& o : obs) {
    if (o.value.size() > 4 * common::kMaxDiscoveryValue) __builtin_trap();
  }
  return 0;
}
