// libFuzzer target: the inventory's one-pass NDJSON line parser (ParseScanLine, nlohmann SAX)
// on arbitrary bytes. Invariants: it either fails with a message or returns a device record
// with an ip, a normalised MAC or none, and a maker other than "unknown"; it agrees with
// ParseScanRecord on device lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout::inventory;
  if (size > 64 * 1024) return 0;  // bound the work per input
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseScanLine(line);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  if (parsed->kind != ScanLineKind::kDevice) return 0;
  const ScanRecord& r = parsed->record;
  if (r.ip.empty() || r.manufacturer == "unknown") std::abort();
  if (!r.mac.empty() && NormaliseMac(r.mac) != r.mac) std::abort();
  auto again = ParseScanRecord(line);
  if (!again || again->ip != r.ip || again->mac != r.mac || again->prohibited != r.prohibited) std::abort();
  return 0;
}
