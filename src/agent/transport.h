// The agent's view of the server: one request at a time over HTTP(S) with the agent's bearer
// key and a pinned server certificate. The interface lets tests drive delivery without
// sockets; MakeHttpTransport is the real one (cpp-httplib + OpenSSL, kept out of headers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agent/config.h"
#include "core/result.h"

namespace phaseout::agent {

// A response of any status. Value type.
struct HttpResponse {
  int status = 0;
  std::string body;
  std::optional<uint32_t> retry_after_s;  // Retry-After, when present and valid
};

// Sends requests to one server. Not thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `method` `target` (path and query) with `body` of `content_type` (empty: no body).
  // Returns the response whatever its status, or: kIo when no response came (connection
  // refused or cut, timeout: the caller may retry), kInvalidArgument when the server's
  // certificate was refused (pin mismatch or failed CA check: retrying cannot help).
  virtual Result<HttpResponse> Send(const std::string& method, const std::string& target,
                                    const std::string& content_type, const std::string& body) = 0;
};

// Settings of the real transport. Plain struct.
struct HttpTransportOptions {
  ServerUrl url;
  std::string bearer_key;     // "" for enrolment
  // https: the SHA-256 (lower-case hex) the server's leaf certificate must have. Empty only
  // at enrolment, where the certificate is checked against ca_file (when given) and recorded.
  std::string pinned_sha256;
  std::string ca_file;
  uint32_t connect_timeout_s = 10;
  uint32_t read_timeout_s = 60;  // a chunk of 5,000 records is one transaction on the server
};

// The real transport. After each Send over TLS, seen_sha256() is the SHA-256 of the leaf
// certificate the server presented (what enrolment pins).
class HttpTransport : public Transport {
 public:
  virtual const std::string& seen_sha256() const = 0;
};

// Returns kInvalidArgument if the options are inconsistent (https without a pin outside
// enrolment is allowed only when ca_file or an empty bearer key says this is enrolment) or
// the CA file cannot be loaded.
Result<std::unique_ptr<HttpTransport>> MakeHttpTransport(const HttpTransportOptions& options);

}  // namespace phaseout::agent
