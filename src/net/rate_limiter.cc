// Lock-free token bucket for connection attempts.
#include "net/rate_limiter.h"

#include <thread>

namespace phaseout::net {

RateLimiter::RateLimiter(double rate, uint32_t burst)
    : rate_(rate > 0 ? rate : 0),
      interval_ns_(rate > 0 ? static_cast<int64_t>(1e9 / rate) : 0),
      burst_ns_(rate > 0 ? static_cast<int64_t>(1e9 / rate) * static_cast<int64_t>(burst) : 0),
      next_ns_(0) {
  if (rate > 0 && interval_ns_ == 0) interval_ns_ = 1;  // rates above 1e9/s: effectively unlimited
}

int64_t RateLimiter::NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::chrono::nanoseconds RateLimiter::Reserve() {
  if (interval_ns_ == 0) return std::chrono::nanoseconds(0);
  const int64_t now = NowNs();
  int64_t old = next_ns_.load(std::memory_order_relaxed);
  int64_t slot = 0;
  do {
    // An idle limiter may start up to burst_ns_ in the past: that is the stored burst.
    slot = old < now - burst_ns_ ? now - burst_ns_ : old;
  } while (!next_ns_.compare_exchange_weak(old, slot + interval_ns_, std::memory_order_relaxed));
  return std::chrono::nanoseconds(slot > now ? slot - now : 0);
}

void RateLimiter::Acquire() {
  std::chrono::nanoseconds wait = Reserve();
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
}

}  // namespace phaseout::net
