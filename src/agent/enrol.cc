// Enrolment (see enrol.h).
#include "agent/enrol.h"

#include <nlohmann/json.hpp>

#include "agent/messages.h"
#include "core/json_dump.h"

namespace phaseout::agent {

Result<AgentKey> EnrolWith(Transport& transport, const EnrolOptions& options, const std::string& seen_sha256) {
  nlohmann::json body = {{"secret", options.secret}, {"name", options.name}};
  auto res = transport.Send("POST", "/api/v1/agents/enrol", "application/json; charset=utf-8",
                            DumpJson(body));
  if (!res) return res.error();
  if (res->status == 400 || res->status == 401 || res->status == 403 || res->status == 404 || res->status == 410) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the server refused the enrolment secret (HTTP " + std::to_string(res->status) + ": " +
                         DescribeErrorBody(res->body) +
                         "): it is wrong, already used or expired; ask an administrator for a new one");
  }
  if (res->status < 200 || res->status >= 300) {
    return MakeError(ErrorCode::kIo, "enrolment failed: HTTP " + std::to_string(res->status) + ": " +
                                         DescribeErrorBody(res->body));
  }
  auto key = ParseEnrolResponse(res->body);
  if (!key) return key.error();
  key->server = options.server;
  key->pinned_sha256 = seen_sha256;
  return key;
}

Result<AgentKey> Enrol(const EnrolOptions& options) {
  auto url = ParseServerUrl(options.server);
  if (!url) return url.error();
  if (options.secret.empty()) return MakeError(ErrorCode::kInvalidArgument, "no enrolment secret given (--secret)");
  HttpTransportOptions topts;
  topts.url = *url;
  topts.ca_file = options.ca_file;
  // A fingerprint given out of band is checked in the handshake itself: nothing is sent,
  // not even the secret, to a server that presents another certificate.
  topts.pinned_sha256 = options.expect_sha256;
  auto transport = MakeHttpTransport(topts);
  if (!transport) return transport.error();
  auto key = EnrolWith(**transport, options, "");
  if (!key) return key;
  key->pinned_sha256 = url->tls ? (*transport)->seen_sha256() : "";
  if (url->tls && key->pinned_sha256.empty()) {
    return MakeError(ErrorCode::kInternal, "the TLS handshake gave no server certificate to pin");
  }
  return key;
}

}  // namespace phaseout::agent
