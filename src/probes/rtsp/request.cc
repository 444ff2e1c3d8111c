// RTSP/1.0 request bytes (RFC 2326). What is sent and why:
//
//   OPTIONS rtsp://<ip>:<port>/ RTSP/1.0\r\n   asks which methods the server supports; every
//   CSeq: 1\r\n                                  server must answer it (RFC 2326 section 10.1),
//   User-Agent: phaseout/0.1 (...)\r\n           and the reply shows Server, Public and Date.
//   \r\n
//
//   DESCRIBE rtsp://<ip>:<port>/ RTSP/1.0\r\n  asks for the stream description of the root
//   CSeq: 2\r\n                                  URL; without credentials cameras answer 401,
//   User-Agent: phaseout/0.1 (...)\r\n           and the WWW-Authenticate realm identifies the
//   Accept: application/sdp\r\n                  vendor ("IP Camera(C2875)", "Login to <serial>").
//   \r\n
//
// The URL always carries the port (RFC 2326 section 3.2 allows omitting 554, but some servers
// compare the URL literally). Never sent: Authorization, SETUP/PLAY, or stream paths.
#include "probes/rtsp/request.h"

#include "probes/common/request_identity.h"

namespace phaseout::probes::rtsp {

std::string RtspUrl(const ProbeTarget& target) {
  // Default port 0 never matches a real port, so the port is always written.
  return "rtsp://" + common::HostAuthority(target, 0) + "/";
}

std::string BuildOptionsRequest(const ProbeTarget& target, int cseq) {
  return "OPTIONS " + RtspUrl(target) + " RTSP/1.0\r\nCSeq: " + std::to_string(cseq) +
         "\r\nUser-Agent: " + std::string(common::kUserAgent) + "\r\n\r\n";
}

std::string BuildDescribeRequest(const ProbeTarget& target, int cseq) {
  return "DESCRIBE " + RtspUrl(target) + " RTSP/1.0\r\nCSeq: " + std::to_string(cseq) +
         "\r\nUser-Agent: " + std::string(common::kUserAgent) + "\r\nAccept: application/sdp\r\n\r\n";
}

}  // namespace phaseout::probes::rtsp
