// Pure RTSP reply parsing plus the RTSP-specific readings the rules use: CSeq echo and the
// layout of the Date header (Hikvision's odd "Date:  Thu, May 14 2020 ..." form).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "probes/common/message.h"

namespace phaseout::probes::rtsp {

// Parses one RTSP/1.0 reply (RFC 2326: HTTP-like layout; no Content-Length means no body).
// Any "<PROTO>/<version>" status line is accepted, so an RTSP port that answers like HTTP is
// still read (its version shows it). Returns the message, possibly partial, or a kParse
// Error iff `bytes` does not start with a status line (garbage, empty).
Result<common::Message> ParseRtspResponse(std::string_view bytes);

// Classifies a Date header value (already trimmed):
//   "rfc1123"                     "Thu, 14 May 2020 16:45:35 GMT"  (RFC 1123 / RFC 2326 3.12)
//   "hikvision-dow-mon-day-year"  "Thu, May 14 2020 16:45:35 GMT"  (observed on Hikvision,
//                                   nmap/nmap nmap-service-probes line 14882)
//   "other"                       anything else
// The day of month may have one or two digits in both layouts.
std::string ClassifyDateLayout(std::string_view value);

// "match" iff the reply's CSeq equals `sent`, "absent" iff it has none, else "mismatch".
std::string CseqEcho(const common::Message& reply, int sent);

}  // namespace phaseout::probes::rtsp
