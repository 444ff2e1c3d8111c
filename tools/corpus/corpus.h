// The corpus of real device replies under tests/corpus/ (layout: tests/corpus/README.md):
// loading, validation and the fixed dev/test split rule.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::corpus {

// What the source says the device is. Value type.
struct Truth {
  std::string manufacturer;  // vendors.yaml id or slug; empty: the replies do not show the maker
  std::string brand;         // empty if not known
  std::string device_type;
  std::string model;
  bool covered = false;      // the manufacturer is covered by a shipped policy
  std::string basis;
};

// One recorded reply. Value type.
struct Reply {
  std::string file;      // file name inside the device directory
  std::string protocol;  // http, https, rtsp, tls, telnet, ftp, ssh, snmp, sadp, dhip, wsd, ssdp, ...
  uint16_t port = 0;
  std::string request;   // "GET /path", "OPTIONS", "DESCRIBE", "connect", or free text for field replies
  bool full = true;      // form: full (whole reply) or field (one value)
  std::string key;       // observation key of a field reply
  std::string bytes;     // the file's content, verbatim
};

// One device: ground truth, source and replies. Value type.
struct Device {
  std::string id;
  std::string split;     // "dev" or "test": the directory it sits in
  std::string dir;       // absolute or root-relative directory
  Truth truth;
  std::string source_ref;
  std::string changes;
  std::vector<Reply> replies;
};

// FNV-1a, 32 bits, over the bytes of `id` (offset basis 0x811c9dc5, prime 0x01000193).
uint32_t Fnv1a32(std::string_view id);

// The split the rule assigns: "dev" if `id` is in `forced_dev`, else "test" iff
// Fnv1a32(id) % 2 == 0, else "dev".
std::string SplitFor(std::string_view id, const std::set<std::string>& forced_dev);

// Reads forced_dev.txt under `root` (one id per line, '#' comments); missing file: empty set.
Result<std::set<std::string>> LoadForcedDev(const std::string& root);

// Loads every device under root/dev and root/test, sorted by id. Fails (kInvalidArgument,
// naming the file) on a malformed device.yaml, a missing reply file, a bad id, a duplicate id,
// or a device whose directory disagrees with SplitFor().
Result<std::vector<Device>> LoadCorpus(const std::string& root);

}  // namespace phaseout::corpus
