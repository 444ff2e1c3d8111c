// Builds the two RTSP requests phaseout sends: OPTIONS and DESCRIBE, without credentials.
#pragma once

#include <string>

#include "probes/probe.h"

namespace phaseout::probes::rtsp {

// "rtsp://<ip>:<port>/" for `target` (IPv6 literals in brackets; the port is always written).
std::string RtspUrl(const ProbeTarget& target);

// Bytes of "OPTIONS rtsp://<ip>:<port>/ RTSP/1.0" with CSeq `cseq` and our User-Agent.
std::string BuildOptionsRequest(const ProbeTarget& target, int cseq);

// Bytes of "DESCRIBE rtsp://<ip>:<port>/ RTSP/1.0" with CSeq `cseq`, our User-Agent and
// "Accept: application/sdp".
std::string BuildDescribeRequest(const ProbeTarget& target, int cseq);

}  // namespace phaseout::probes::rtsp
