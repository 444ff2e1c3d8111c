// Tests of backoff delays, Retry-After parsing and status classification.
#include "agent/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace phaseout::agent {
namespace {

TEST(Backoff, GrowsExponentiallyWithinJitterBoundsAndIsCapped) {
  BackoffOptions o;
  o.initial_ms = 100;
  o.max_ms = 5000;
  o.multiplier = 2;
  o.jitter = 0.5;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    for (uint32_t attempt = 0; attempt < 12; ++attempt) {
      double full = std::min(5000.0, 100.0 * (1u << attempt));
      uint32_t d = BackoffDelayMs(o, attempt, rng);
      EXPECT_GE(d, static_cast<uint32_t>(full * 0.5) - 1) << attempt;
      EXPECT_LE(d, static_cast<uint32_t>(full)) << attempt;
    }
  }
  // Huge attempt numbers neither overflow nor exceed the cap.
  EXPECT_LE(BackoffDelayMs(o, 1000000, rng), 5000u);
}

TEST(Backoff, JitterSpreadsDelays) {
  BackoffOptions o;
  o.initial_ms = 1000;
  o.jitter = 1.0;
  std::mt19937_64 rng(1);
  std::set<uint32_t> seen;
  for (int i = 0; i < 50; ++i) seen.insert(BackoffDelayMs(o, 3, rng));
  EXPECT_GT(seen.size(), 40u);  // 50 draws from [0, 8000] ms almost never collide
  o.jitter = 0;
  EXPECT_EQ(BackoffDelayMs(o, 3, rng), 8000u);
}

TEST(RetryAfter, SecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfter("120", 0), 120u);
  EXPECT_EQ(ParseRetryAfter(" 0 ", 0), 0u);
  EXPECT_EQ(ParseRetryAfter("99999999999999", 0), UINT32_MAX);
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 (RFC 9110 example date).
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30), 30u);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30), 0u);
  EXPECT_FALSE(ParseRetryAfter("", 0));
  EXPECT_FALSE(ParseRetryAfter("-5", 0));
  EXPECT_FALSE(ParseRetryAfter("soon", 0));
  EXPECT_FALSE(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 UTC", 0));
  EXPECT_FALSE(ParseRetryAfter("Sun, 06 Xyz 1994 08:49:37 GMT", 0));
}

TEST(ClassifyStatus, OnlyTransientFailuresAreRetried) {
  EXPECT_EQ(ClassifyStatus(200), Disposition::kDelivered);
  EXPECT_EQ(ClassifyStatus(201), Disposition::kDelivered);
  EXPECT_EQ(ClassifyStatus(401), Disposition::kReenrol);
  EXPECT_EQ(ClassifyStatus(403), Disposition::kForbidden);
  EXPECT_EQ(ClassifyStatus(408), Disposition::kRetry);
  EXPECT_EQ(ClassifyStatus(429), Disposition::kRetry);
  EXPECT_EQ(ClassifyStatus(500), Disposition::kRetry);
  EXPECT_EQ(ClassifyStatus(503), Disposition::kRetry);
  EXPECT_EQ(ClassifyStatus(400), Disposition::kReject);
  EXPECT_EQ(ClassifyStatus(404), Disposition::kReject);
  EXPECT_EQ(ClassifyStatus(409), Disposition::kReject);
  EXPECT_EQ(ClassifyStatus(413), Disposition::kReject);
  EXPECT_EQ(ClassifyStatus(302), Disposition::kRetry);  // never dropped
}

}  // namespace
}  // namespace phaseout::agent
