// Timing tests for the connection rate limiter (loose bounds: the machine is shared).
#include "net/rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace phaseout::net {
namespace {

double SecondsFor(RateLimiter& limiter, int events, int threads) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < events / threads; ++i) limiter.Acquire();
    });
  }
  for (auto& w : workers) w.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(RateLimiterTest, PacesSingleThread) {
  RateLimiter limiter(200, 4);  // 200/s: 100 events need about (100 - 5) / 200 s
  double s = SecondsFor(limiter, 100, 1);
  EXPECT_GT(s, 0.40);
  EXPECT_LT(s, 1.5);
}

TEST(RateLimiterTest, PacesAcrossThreads) {
  RateLimiter limiter(400, 0);
  double s = SecondsFor(limiter, 200, 4);  // 200 events at 400/s: about 0.5 s
  EXPECT_GT(s, 0.45);
  EXPECT_LT(s, 2.0);
}

TEST(RateLimiterTest, BurstThenPace) {
  RateLimiter limiter(10, 5);
  int immediate = 0;
  for (int i = 0; i < 20; ++i) {
    if (limiter.Reserve().count() == 0) ++immediate;
  }
  EXPECT_GE(immediate, 5);
  EXPECT_LE(immediate, 7);
}

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  RateLimiter limiter(0);
  EXPECT_TRUE(limiter.unlimited());
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(limiter.Reserve().count(), 0);
}

}  // namespace
}  // namespace phaseout::net
