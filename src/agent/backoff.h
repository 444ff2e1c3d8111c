// Retry pacing for the agent's deliveries: exponential backoff with jitter, the server's
// Retry-After, and what each HTTP status means for a spooled entry.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string_view>

namespace phaseout::agent {

// Backoff settings. Plain struct; the defaults suit an agent on a site link.
struct BackoffOptions {
  uint32_t initial_ms = 1000;   // delay before the first retry
  uint32_t max_ms = 300000;     // cap on any single delay (5 min), Retry-After included
  double multiplier = 2.0;      // growth per attempt (>= 1)
  double jitter = 0.5;          // fraction of the delay drawn at random (0..1): "equal jitter"
};

// Delay before retry number `attempt` (0 = the first retry): d = min(max_ms, initial_ms *
// multiplier^attempt), of which the last `jitter` fraction is drawn uniformly at random, so
// the result lies in [d * (1 - jitter), d]. Agents that lost the server at the same moment
// thus spread their returns (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
uint32_t BackoffDelayMs(const BackoffOptions& options, uint32_t attempt, std::mt19937_64& rng);

// The delay asked for by a Retry-After header (RFC 9110 section 10.2.3): delta-seconds or an
// HTTP-date (IMF-fixdate), relative to `now`. A date in the past gives 0. Returns nullopt for
// anything else (the caller then uses its own backoff).
std::optional<uint32_t> ParseRetryAfter(std::string_view value, std::time_t now);

// What a response status means for the entry that was sent.
enum class Disposition {
  kDelivered,   // 2xx: the server has it; delete the spool file
  kRetry,       // 408, 429, 5xx and transport failures: send the whole entry again later
  kReject,      // any other 4xx: the server will never take it; move it to rejected/
  kReenrol,     // 401: the key is unknown, expired or revoked; stop and ask for enrolment
  kForbidden,   // 403: either the key was revoked or this entry is for a site the agent is not
                // bound to; the caller tells them apart with a request any valid key may make
};

// REQUIRES: 100 <= status <= 599. Statuses below 200 and 3xx (never expected from the API)
// are kRetry: the entry is kept, never dropped.
Disposition ClassifyStatus(int status);

}  // namespace phaseout::agent
