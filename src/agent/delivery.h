// Delivery: sends the spool to the server in order, each entry until it gets a final answer.
// 2xx deletes the entry; 408, 429, 5xx and network failures are retried (whole entry, with
// backoff, jitter and Retry-After: the server's idempotency on scan key + sequence makes
// repeats harmless); other 4xx move the entry to rejected/ with the reason; 401, or a 403
// that a schedule request confirms, stops everything and asks for re-enrolment.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/backoff.h"
#include "agent/spool.h"
#include "agent/transport.h"
#include "core/result.h"

namespace phaseout::agent {

// Settings of one delivery pass. Plain struct.
struct DeliveryOptions {
  BackoffOptions backoff;
  // Stop retrying (leaving the spool as it is, for the next pass) once retries have lasted
  // this long in one pass. 0: retry for ever.
  uint32_t give_up_after_s = 600;
  uint64_t seed = 0;  // jitter seed; 0: random
  // Waits `ms` milliseconds (tests pass a fake). Default: std::this_thread::sleep_for.
  std::function<void(uint32_t ms)> sleep;
  // Progress and retry notes, one line each (default: none).
  std::function<void(const std::string&)> log;
};

// How a pass ended.
enum class DeliveryEnd {
  kEmpty,        // everything spooled was delivered or rejected
  kGaveUp,       // give_up_after_s passed; the rest waits in the spool
  kReenrol,      // the server refused the key (revoked, expired, unknown): enrol again
  kCertificate,  // the server's certificate was refused (pin mismatch): nothing sent
};

struct DeliveryResult {
  DeliveryEnd end = DeliveryEnd::kEmpty;
  size_t delivered = 0;       // entries the server accepted
  size_t rejected = 0;        // entries moved to rejected/
  size_t remaining = 0;       // entries still spooled
  size_t retries = 0;         // requests sent again after a failure
  uint64_t stored = 0;        // records the server said it stored
  uint64_t duplicates = 0;    // records the server already had
  std::string message;        // for kGaveUp/kReenrol/kCertificate: what happened and what to do
};

// Delivers every entry of `spool`, oldest first. Returns an Error only when the spool itself
// fails (kIo); every server or network outcome is in the result.
Result<DeliveryResult> DeliverSpool(Spool& spool, Transport& transport, const DeliveryOptions& options);

// The request an entry becomes: method, target (path and query), content type.
struct EntryRequest {
  std::string method = "POST";
  std::string target;
  std::string content_type;
};
EntryRequest RequestFor(const SpoolEntry& entry);

}  // namespace phaseout::agent
