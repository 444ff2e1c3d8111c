// TargetSet: the addresses a scan may touch, parsed from user specs (addresses, CIDR blocks,
// ranges, files of specs) minus exclusions and the built-in blocklist. Kept as sorted merged
// ranges, never as an address list, so a /8 costs a few bytes; TargetCursor hands the
// addresses out lazily to many threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/ip_address.h"

namespace phaseout::net {

// An inclusive address range within one family. Value type.
struct AddressRange {
  bool v6 = false;
  Uint128 first = 0;
  Uint128 last = 0;
  uint64_t size() const { return static_cast<uint64_t>(last - first) + 1; }
};

// Blocks removed from every target set, whatever the specs say (zmap's blocklist idea, kept
// to the blocks no TCP scan may sensibly touch):
//   0.0.0.0/8     "this network" (RFC 1122 3.2.1.3), never a valid destination
//   224.0.0.0/4   IPv4 multicast (RFC 5771); TCP cannot connect there
//   240.0.0.0/4   reserved, including the limited broadcast 255.255.255.255 (RFC 1112, RFC 919)
//   ::/128, ff00::/8  IPv6 unspecified and multicast (RFC 4291)
// Multi-address specs (CIDR, ranges) silently lose these parts; a single address inside
// them is an error, because the user explicitly asked for something we will not do.
const std::vector<std::string>& BlocklistDescription();

// An immutable set of target addresses. Thread-safe for concurrent const use.
//
// Spec syntax (one spec per argument; commas also separate specs):
//   127.0.0.1                 one IPv4 address
//   127.16.0.0/16             IPv4 CIDR block (host bits are ignored: 127.16.3.4/16 == 127.16.0.0/16)
//   127.0.0.1-127.0.1.20      inclusive IPv4 range
//   127.0.0.1-20              short range: the last octet runs from 1 to 20
//   ::1, fd00::1              one IPv6 address
//   fd00::/120                IPv6 CIDR block of at most 256 addresses (/120../128)
//   fd00::1-fd00::ff          IPv6 range of at most 256 addresses
//   @path                     a file of specs: one per line, `#` starts a comment, blank lines ignored;
//                             CRLF line ends and a UTF-8 byte order mark are accepted
// Host names are refused (phaseout never resolves names: a scan touches exactly what is given).
class TargetSet {
 public:
  // Parses `specs` minus `excludes` (same syntax) minus the blocklist.
  // Returns kInvalidArgument with a message quoting the bad spec (and file:line for specs
  // from files) on malformed input or a target file that lists nothing (empty, or only
  // comments), kNotFound if a spec file cannot be read (with the system's reason). An empty
  // result (everything excluded) is not an error; check Count().
  static Result<std::unique_ptr<TargetSet>> Parse(const std::vector<std::string>& specs,
                                                  const std::vector<std::string>& excludes = {});

  // Reads a spec file (the `@path` / --targets-file form) into its specs, one per entry
  // (commas on a line separate entries); comments and blank lines are dropped. Returns
  // kNotFound if the file cannot be read. Syntax errors are reported later by Parse, naming file:line; to get that,
  // pass "@path" to Parse instead of calling this.
  static Result<std::vector<std::string>> LoadSpecFile(const std::string& path);

  // Exact number of addresses in the set.
  uint64_t Count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // True iff `address` is in the set. O(log ranges).
  bool Contains(const IpAddress& address) const;
  // The `index`-th address in ascending order (IPv4 first). Returns nullopt iff index >= Count().
  std::optional<IpAddress> At(uint64_t index) const;
  // The sorted, merged, disjoint ranges (IPv4 before IPv6).
  const std::vector<AddressRange>& ranges() const { return ranges_; }

 private:
  TargetSet() = default;
  std::vector<AddressRange> ranges_;
  std::vector<uint64_t> starts_;  // starts_[i]: index of ranges_[i].first in the whole set
  uint64_t count_ = 0;
  friend class TargetCursor;
};

// Hands out the addresses of a TargetSet in ascending order, each exactly once, to any
// number of threads. Lock-free (one atomic add per batch). The set must outlive the cursor.
class TargetCursor {
 public:
  explicit TargetCursor(const TargetSet& set) : set_(set) {}
  TargetCursor(const TargetCursor&) = delete;  // holds an atomic position
  TargetCursor& operator=(const TargetCursor&) = delete;

  // Replaces `out` with up to `max` next addresses. Returns the number given; 0 iff the set
  // is exhausted. Thread-safe.
  size_t NextBatch(size_t max, std::vector<IpAddress>* out);
  // Number of addresses handed out so far (at most Count()).
  uint64_t handed_out() const;

 private:
  const TargetSet& set_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace phaseout::net
