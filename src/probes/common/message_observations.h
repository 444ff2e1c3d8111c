// Observation helpers shared by the HTTP and RTSP probes: header keys, the header-name list,
// authentication challenges and "cut off at a limit" notes.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <string_view>

#include "probes/common/message.h"
#include "probes/common/observation_list.h"
#include "probes/probe.h"

namespace phaseout::probes::common {

// The key suffix for a header name: ASCII-lower-cased; bytes outside the RFC 9110 token set,
// and '.', become '_' and the result is cut at 64 bytes, so a hostile name can not forge a
// dotted key such as "server.x".
std::string HeaderKey(std::string_view name);

// Header names exactly as sent (case preserved), in order, joined with "," (no spaces).
std::string HeaderNames(const Message& reply);

// Adds "<prefix>.header.<HeaderKey(name)>" = value for every header.
void AddHeaders(const Message& reply, std::string_view prefix, ObservationList* out);

// For every challenge of every WWW-Authenticate header adds "<prefix>.auth.scheme" and, when
// present, "<prefix>.auth.realm", in order. With `seen` non-null, a (scheme, realm) pair
// already in `seen` is skipped and new pairs are added to it (for sessions whose replies
// repeat the same challenge).
void AddAuthChallenges(const Message& reply, std::string_view prefix, ObservationList* out,
                       std::set<std::pair<std::string, std::string>>* seen = nullptr);

// Adds one "<limit_prefix>.limit" per limit the parser hit and per way the read ended early
// (engine byte cap, timeout or close before the reply was whole). `label` (may be empty) is
// put in front of each value, e.g. "/favicon.ico body>65536 truncated".
void AddLimits(const Message& reply, const Response& response, std::string_view limit_prefix, std::string_view label,
               ObservationList* out);

// Why a reply yielded nothing: "connect_failed", "timeout", "closed" or "empty".
std::string EmptyReason(const Response& response);

}  // namespace phaseout::probes::common
