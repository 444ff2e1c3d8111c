// libFuzzer target: the inventory's one-pass NDJSON line parser (ParseScanLine, a hand-written
// JSON scanner) on arbitrary bytes, checked against the reference parser it replaced
// (testing/record_reference.cc, nlohmann::json SAX). Invariants: both accept and reject the same
// lines with the same message and give the same kind and record; a device record has an ip, a
// normalised MAC or none, and a maker other than "unknown"; ParseScanRecord agrees on device
// lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/record.h"
#include "inventory/testing/record_reference.h"

namespace {

using phaseout::inventory::ScanRecord;

bool Same(const ScanRecord& a, const ScanRecord& b) {
  return a.ip == b.ip && a.mac == b.mac && a.serial == b.serial && a.manufacturer == b.manufacturer &&
         a.brand == b.brand && a.device_type == b.device_type && a.model == b.model && a.firmware == b.firmware &&
         a.prohibited == b.prohibited && a.review == b.review;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout::inventory;
  if (size > 64 * 1024) return 0;  // bound the work per input
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseScanLine(line);
  auto reference = testing::ReferenceParseScanLine(line);
  if (static_cast<bool>(parsed) != static_cast<bool>(reference)) std::abort();
  if (!parsed) {
    if (parsed.error().message.empty() || parsed.error().message != reference.error().message) std::abort();
    return 0;
  }
  if (parsed->kind != reference->kind || !Same(parsed->record, reference->record)) std::abort();
  if (parsed->kind != ScanLineKind::kDevice) return 0;
  const ScanRecord& r = parsed->record;
  if (r.ip.empty() || r.manufacturer == "unknown") std::abort();
  if (!r.mac.empty() && NormaliseMac(r.mac) != r.mac) std::abort();
  auto again = ParseScanRecord(line);
  if (!again || !Same(*again, r)) std::abort();
  return 0;
}
