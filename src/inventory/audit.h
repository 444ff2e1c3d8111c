// The append-only audit log: each entry records who changed what (before and after as JSON)
// and carries SHA-256(previous hash || entry), so editing or deleting any past entry breaks the
// chain from that point on (`phaseout audit verify`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace phaseout::inventory {

// One audit entry. Value type.
struct AuditEntry {
  int64_t seq = 0;          // 1, 2, 3, ... without gaps
  std::string at;           // ISO 8601 UTC time of the change
  std::string actor;        // person, or "phaseout" for system transitions
  std::string action;       // "set-state", "waive", "ingest", "sites-import", "verify", ...
  int64_t device_id = 0;    // 0 when the entry is not about one device
  int64_t scan_id = 0;      // 0 when not caused by a scan
  std::string before;       // JSON snapshot before the change ("" if none)
  std::string after;        // JSON snapshot after the change
  std::string note;         // why
  std::string prev_hash;    // hash of entry seq-1; kGenesisHash for seq 1
  std::string hash;         // EntryHash(*this)
};

// The prev_hash of the first entry: 64 zeros.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);

// Incremental SHA-256 (digest of everything passed to Update). Not copyable (owns an OpenSSL
// context).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  // Lower-case hex digest of the data so far (the stream can keep going).
  std::string HexDigest() const;
  // The state after the data so far, as text (lower-case hex, 82-208 characters), and the
  // stream continued from such a text (false, the stream unchanged, when it is not one): a
  // digest kept across transactions, e.g. of the chunks of a scan pushed in parts.
  std::string SaveState() const;
  bool RestoreState(std::string_view state);

 private:
  void* ctx_;  // SHA256_CTX*, kept out of this header
};

// The hash of `e`: SHA-256 over prev_hash and every field but `hash`, each length-prefixed so
// no two different entries serialise alike.
std::string EntryHash(const AuditEntry& e);

}  // namespace phaseout::inventory
