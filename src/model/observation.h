// Observation: one typed fact a probe saw on the wire, and HostScan: every fact about one host.
// Probes produce these; fingerprinting, policy, storage and reports consume them and never
// include a probe header. Keys are dotted lowercase names from data/identifiers/fields.yaml.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace phaseout::model {

// One field a probe observed, e.g. {probe "http", port 80, key "http.header.server",
// value "DNVRS-Webs"}. `value` holds raw device bytes (may be any bytes, not only UTF-8);
// renderers escape it. Value type, copyable.
struct Observation {
  std::string probe;   // probe name: "http", "https", "rtsp", "tls", "banner", "tcp"
  uint16_t port = 0;   // TCP/UDP port the fact came from; 0 for host-level facts
  std::string key;     // observation key, e.g. "rtsp.header.server"
  std::string value;   // observed value, verbatim (bounded by probe limits)
};

// Everything learnt about one responsive host in one scan. Value type.
struct HostScan {
  std::string ip;                       // textual address, IPv4 dotted quad or IPv6
  std::vector<uint16_t> open_ports;     // ascending, no duplicates
  std::string mac;                      // "aa:bb:cc:dd:ee:ff" lower case, or empty if unknown
  std::vector<Observation> observations;
  std::vector<std::string> notes;       // e.g. "port 80: response cut at 65536 bytes"
  // True iff the address is outside the scan's target set: it answered a (multicast)
  // discovery probe. Such a record is reported and flagged, never probed or merged.
  bool out_of_scope = false;
};

}  // namespace phaseout::model
