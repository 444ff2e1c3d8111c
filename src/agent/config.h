// The agent's configuration file (YAML) and its key file (JSON, mode 0600), written by
// `phaseout agent enrol` and read by `phaseout agent run` and `phaseout scan --push`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/backoff.h"
#include "core/result.h"

namespace phaseout::agent {

// One scan to run: what the server's schedule or the local schedule names. Value type.
struct ScheduledScan {
  std::string site;
  std::vector<std::string> targets;  // addresses or CIDR blocks (the site's scopes)
  std::string ports;                 // `phaseout scan --ports` syntax; empty: the scanner's default
  uint32_t interval_s = 86400;       // run again this long after the last run started
};

// Settings of `phaseout agent run`. Plain struct with documented defaults. Example file:
//
//   server: https://phaseout.example:8443
//   key_file: /var/lib/phaseout-agent/agent.key
//   spool_dir: /var/lib/phaseout-agent/spool
//   pinned_sha256: 3f9a...          # leaf certificate of the server, seen at enrolment
//   ca_file: /etc/phaseout/ca.pem   # optional
//   name: site-ottawa-1
//   schedule:
//     source: server                # server (fallback: local) or local
//     local:                        # used when the server's schedule cannot be fetched
//       - {site: ottawa-hq, targets: [192.0.2.0/25], ports: "80,443,554", interval_s: 86400}
//   scan:
//     rate: 300                     # cap on connection attempts per second
//     allowed: [192.0.2.0/24]       # optional: refuse any target outside these blocks
//     exclude: [192.0.2.1]          # never scanned, whatever the schedule says
//   retry: {initial_ms: 1000, max_ms: 300000, give_up_after_s: 600}
struct AgentConfig {
  std::string server;          // base URL: https://HOST[:PORT] (http:// only for loopback)
  std::string key_file;        // written by enrol, mode 0600
  std::string spool_dir;
  std::string pinned_sha256;   // lower-case hex SHA-256 of the server's leaf certificate (DER)
  std::string ca_file;         // optional CA bundle used at enrolment
  std::string name;            // the agent's name as the server lists it
  bool server_schedule = true; // false: only the local schedule
  std::vector<ScheduledScan> local_schedule;
  double rate = 300;           // scanner --rate cap (the scanner's conservative default)
  std::vector<std::string> allowed;  // empty: no local restriction beyond the site's scopes
  std::vector<std::string> exclude;
  BackoffOptions backoff;
  // One delivery pass keeps retrying for this long, then leaves the spool for the next pass.
  uint32_t give_up_after_s = 600;
};

// Parses the YAML text of a config file; `origin` names it in messages. Returns
// kInvalidArgument naming the key (and line) for unknown keys, wrong types, missing
// `server`/`key_file`/`spool_dir`, a server URL that is neither https:// nor http:// to a
// loopback address, a malformed fingerprint, or out-of-range numbers.
Result<AgentConfig> ParseAgentConfig(std::string_view yaml_text, const std::string& origin);

// Reads and parses `path` (kNotFound if it cannot be read).
Result<AgentConfig> LoadAgentConfig(const std::string& path);

// YAML text that ParseAgentConfig reads back into `config`.
std::string FormatAgentConfig(const AgentConfig& config);

// The server URL split up. Value type.
struct ServerUrl {
  bool tls = true;
  std::string host;
  int port = 443;
};

// Parses "https://host[:port]" or "http://loopback[:port]" (no path, user info, query).
// Returns kInvalidArgument saying what is wrong; plain http is refused for any host but
// 127.0.0.0/8, ::1 and localhost, because the key and the records would travel in clear.
Result<ServerUrl> ParseServerUrl(std::string_view url);

// What enrolment gave the agent. Value type.
struct AgentKey {
  std::string agent_id;
  std::string key;                 // bearer token
  std::vector<std::string> sites;  // the sites the key is bound to
  std::string server;              // base URL it was issued by
  std::string pinned_sha256;       // certificate seen at enrolment ("" for loopback http)
};

// Writes `key` as JSON to `path` with mode 0600 (temporary file, fsync, rename). kIo on failure.
Status WriteAgentKey(const AgentKey& key, const std::string& path);

// Reads a key file. kNotFound when missing ("run phaseout agent enrol"), kInvalidArgument when
// it is readable by group or others (chmod 600) or malformed.
Result<AgentKey> ReadAgentKey(const std::string& path);

}  // namespace phaseout::agent
