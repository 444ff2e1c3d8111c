// The agent's durable spool: every request that carries scan results is a file in a spool
// directory, written with write + fsync + rename (+ fsync of the directory) before it is
// sent, and deleted only after the server answered 2xx. Format and guarantees: docs/agent.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::agent {

// What a spool entry asks the server to do (CONTRACT: /api/v1/scans...).
enum class EntryKind {
  kStart,     // POST /api/v1/scans                                 body: scan JSON
  kChunk,     // POST /api/v1/scans/{scan_key}/records?first_seq=N  body: NDJSON lines
  kComplete,  // POST /api/v1/scans/{scan_key}/complete             body: {"records","complete"}
};

// One spooled request. Value type.
struct SpoolEntry {
  EntryKind kind = EntryKind::kChunk;
  std::string scan_key;    // idempotency key of the scan ([A-Za-z0-9._:-], 1-128 bytes)
  std::string site;        // site the scan belongs to (same alphabet)
  uint64_t first_seq = 0;  // kChunk: sequence number of the first line (1-based)
  uint64_t lines = 0;      // kChunk: number of NDJSON lines in body
  std::string body;        // the request body, verbatim
};

// "start", "chunk", "complete".
const char* EntryKindName(EntryKind kind);

// The bytes of a spool file: one header line
//   phaseout-spool 1 KIND FIRST_SEQ LINES BODY_BYTES SHA256(BODY) SCAN_KEY SITE\n
// followed by the body. Returns kInvalidArgument if a key or site has characters outside the
// alphabet above (they become part of a URL path and of the header line).
Result<std::string> EncodeSpoolEntry(const SpoolEntry& entry);

// Parses the bytes of a spool file. Returns kParse with the reason for anything that is not
// exactly what EncodeSpoolEntry writes (bad header, wrong length, digest mismatch, a chunk
// whose line count differs from its header). Never trusts the header's numbers for sizes.
Result<SpoolEntry> DecodeSpoolEntry(std::string_view bytes);

// A spool directory. Entries are files named NNNNNNNNNNNNNNNNNNNN.KIND (a 20-digit counter),
// taken in counter order; files whose name does not have that form (the temporary files of
// an interrupted write, `*.tmp`) are never taken and are removed by Open. Rejected entries go
// to DIR/rejected/ with a NAME.reason file beside them; nothing is silently dropped.
// Not thread-safe; one process at a time per directory (Open takes an flock and fails if
// another process holds it).
class Spool {
 public:
  // Opens (creating with mode 0700 when missing) `dir` and `dir/rejected`. Returns kIo with
  // the system's reason if the folder cannot be created or written, kInvalidArgument if
  // another process already uses it.
  static Result<Spool> Open(const std::string& dir);

  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;  // owns the lock descriptor
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // Writes `entry` durably (temporary file, fsync, rename, fsync of the folder) after every
  // entry already spooled. Returns the file name, or kIo (nothing left behind but possibly a
  // temporary file, which Open removes).
  Result<std::string> Append(const SpoolEntry& entry);

  // Names of the entries waiting, oldest first.
  Result<std::vector<std::string>> List() const;

  // Reads and decodes one entry (kParse for a damaged file: the caller rejects it).
  Result<SpoolEntry> Read(const std::string& name) const;

  // Deletes an entry the server accepted (and fsyncs the folder).
  Status Remove(const std::string& name);

  // Moves an entry to rejected/ and writes `reason` beside it as NAME.reason.
  Status Reject(const std::string& name, const std::string& reason);

  const std::string& dir() const { return dir_; }
  // Temporary files of interrupted writes that Open removed.
  size_t stale_temporaries_removed() const { return stale_removed_; }

 private:
  Spool(std::string dir, int lock_fd, uint64_t next, size_t stale_removed)
      : dir_(std::move(dir)), lock_fd_(lock_fd), next_(next), stale_removed_(stale_removed) {}

  std::string dir_;
  int lock_fd_ = -1;
  uint64_t next_ = 1;
  size_t stale_removed_ = 0;
};

}  // namespace phaseout::agent
