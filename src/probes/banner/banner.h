// Pure reading of what a TCP service volunteers right after connect (its banner), for ports
// without a protocol probe: Hikvision SDK 8000, Dahua 37777, EZVIZ 9010/9020 and the rest.
#pragma once

#include <string_view>

#include "probes/common/observation_list.h"
#include "probes/probe.h"

namespace phaseout::probes::banner {

// How long to wait for a volunteered banner. Short on purpose: most services that talk first
// do so at once, and clients-speak-first services (Dahua 37777) never will.
inline constexpr uint32_t kBannerTimeoutMs = 1500;

// Framing of a banner: whole at the first '\n' (text protocols greet in one line) or once
// 256 bytes arrived; otherwise keep reading until the peer closes or the timeout.
Framing FrameBanner(std::string_view received);

// Adds the observations for one banner read:
//   bytes arrived:  tcp.banner.length (decimal), tcp.banner.hex (first 64 bytes, lower-case
//                   hex), tcp.banner.text (first 256 bytes escaped with EscapeBytes)
//   nothing, closed by the peer:            tcp.closed_on_connect = "true"
//   nothing, timed out with the port open:  tcp.silent = "true"
//   the engine's byte cap cut the read:     banner.limit = "response>N truncated"
// Never fails.
void AddBannerObservations(const Response& response, common::ObservationList* out);

}  // namespace phaseout::probes::banner
