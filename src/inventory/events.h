// Inventory events a SIEM can alert on (new covered device, regression, missing, waiver
// expired, deadline passed, verified removal, merge review): JSON lines and RFC 5424 syslog.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace phaseout::inventory {

// Value type. `kind` is one of: "new-covered-device", "regression", "missing", "reappeared",
// "verified-removed", "waiver-expired", "deadline-passed", "merge-review".
struct Event {
  int64_t id = 0;
  std::string at;        // ISO 8601 UTC
  std::string kind;
  std::string severity;  // "warning" (needs attention) or "notice"
  std::string site;
  int64_t device_id = 0;
  std::string scan;      // scan key, "" if none
  std::string message;   // one readable sentence
};

// One JSON object on one line (ends in '\n'): {"id","at","kind","severity","site","device",
// "scan","message"}.
std::string EventJsonLine(const Event& e);

// An RFC 5424 syslog message (no trailing newline): "<PRI>1 TIMESTAMP HOST phaseout PID KIND
// [phaseout@32473 site=".." device=".." scan=".."] MESSAGE", facility local0 (16), severity
// warning (4) or notice (5). SD-PARAM values escape '"', '\' and ']' (RFC 5424 section 6.3.3).
std::string FormatRfc5424(const Event& e, std::string_view hostname, int pid);

// Sends `message` to the local syslog daemon's datagram socket (/dev/log by default). Never
// opens a network socket. Fails with kIo if no daemon listens there.
Status SendToLocalSyslog(const std::string& message, const std::string& socket_path = "/dev/log");

}  // namespace phaseout::inventory
