// libFuzzer target: DER certificate parsing (subject/issuer printing, SANs, self-signed check).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/tls/cert_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view der(reinterpret_cast<const char*>(data), size);
  auto info = phaseout::probes::tls::ParseCertificateDer(der);
  if (info) {
    // Touch every field so sanitizers see the whole result.
    size_t total = info->subject.size() + info->issuer.size() + info->not_before.size() + info->not_after.size() +
                   info->sha256.size();
    for (const auto& san : info->san) total += san.size();
    if (total == static_cast<size_t>(-1)) return 1;
  }
  return 0;
}
