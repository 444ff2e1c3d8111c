// Banner framing and observations.
#include "probes/banner/banner.h"

#include "core/strings.h"

namespace phaseout::probes::banner {
namespace {

constexpr size_t kFrameBytes = 256;
constexpr size_t kHexBytes = 64;
constexpr size_t kTextBytes = 256;

}  // namespace

Framing FrameBanner(std::string_view received) {
  if (received.find('\n') != std::string_view::npos || received.size() >= kFrameBytes) return Framing::kComplete;
  return Framing::kNeedMore;
}

void AddBannerObservations(const Response& response, common::ObservationList* out) {
  std::string_view bytes = response.bytes;
  if (!bytes.empty()) {
    out->Add("tcp.banner.length", std::to_string(bytes.size()));
    out->Add("tcp.banner.hex", HexEncode(bytes.substr(0, kHexBytes)));
    out->Add("tcp.banner.text", EscapeBytes(bytes.substr(0, kTextBytes), 4 * kTextBytes));
    if (response.truncated) out->AddLimit("banner", "response>" + std::to_string(bytes.size()) + " truncated");
    return;
  }
  if (response.connect_failed) return;  // nothing was learnt about the service
  if (response.closed) {
    out->Add("tcp.closed_on_connect", "true");
  } else {
    // Timed out (or the engine gave up) with the connection still open: a client-speaks-first
    // service such as Dahua's 37777 SDK port (rroller/dahua custom_components/dahua/discovery.py; rapid7/recog xml/html_title.xml).
    out->Add("tcp.silent", "true");
  }
}

}  // namespace phaseout::probes::banner
