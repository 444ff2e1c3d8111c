// libFuzzer target: one datagram through the mDNS reply parser (DNS header, compressed names,
// PTR/SRV/TXT/A records). Checks the documented bounds: no crash or over-read, at most
// kMaxObservations (+ the limit note) observations, every value within the discovery value cap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/common/discovery_text.h"
#include "probes/mdns/mdns.h"

using namespace phaseout::probes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;  // a UDP datagram is at most 65507 bytes
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto obs = mdns::ParseReply(bytes);
  if (obs.size() > mdns::kMaxObservations + 2) __builtin_trap();
  for (const auto& o : obs) {
    if (o.value.size() > 4 * common::kMaxDiscoveryValue) __builtin_trap();
    if (o.key.size() > 64) __builtin_trap();
  }
  return 0;
}
