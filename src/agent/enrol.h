// Enrolment: exchanges a one-time secret for a per-agent key bound to sites, and records the
// server certificate the agent will accept from then on (osquery/Fleet's enrol-secret model).
#pragma once

#include <string>

#include "agent/config.h"
#include "agent/transport.h"
#include "core/result.h"

namespace phaseout::agent {

// Settings of Enrol. Plain struct.
struct EnrolOptions {
  std::string server;          // https://host[:port] (http:// only for loopback)
  std::string secret;          // one-time enrolment secret from an administrator
  std::string name;            // this agent's name (default: the host name)
  std::string ca_file;         // when given, the server certificate must verify against it
  std::string expect_sha256;   // when given, the server certificate must have this SHA-256
};

// Enrols with the server. Returns the key with `server` and `pinned_sha256` filled in, or:
// kInvalidArgument for a bad URL, a refused certificate or a refused secret ("wrong, used or
// expired: ask for a new one"), kIo when the server cannot be reached, kParse for an answer
// that is not an enrolment.
Result<AgentKey> Enrol(const EnrolOptions& options);

// The same over a given transport (tests); `seen_sha256` is the certificate it saw.
Result<AgentKey> EnrolWith(Transport& transport, const EnrolOptions& options, const std::string& seen_sha256);

}  // namespace phaseout::agent
