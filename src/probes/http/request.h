// Builds the only HTTP requests phaseout sends: credential-free GETs of fixed, reviewed paths.
#pragma once

#include <string>
#include <string_view>

#include "probes/probe.h"

namespace phaseout::probes::http {

// True iff `path` is safe to put on a request line: starts with '/', at most 256 bytes, only
// printable ASCII without spaces (no CR/LF injection, no credentials-in-URL '@').
bool IsSafeRequestPath(std::string_view path);

// Returns the bytes of "GET <path> HTTP/1.1" with Host, User-Agent, Accept and
// Connection: close (see request.cc for why each header is there). `tls` only selects the
// default port (443 instead of 80) left out of the Host header.
// REQUIRES: IsSafeRequestPath(path).
std::string BuildGetRequest(const ProbeTarget& target, bool tls, std::string_view path);

}  // namespace phaseout::probes::http
