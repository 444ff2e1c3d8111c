// RateLimiter: the global cap on connection attempts per second, shared by every scan thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace phaseout::net {

// A token bucket (implemented as a virtual-schedule/GCRA clock: one atomic, no lock) that
// admits `rate` events per second on average with bursts of at most `burst` + 1 events.
// Thread-safe; callable from any number of threads and io_contexts.
class RateLimiter {
 public:
  // `rate` <= 0 means unlimited (meant for benchmarks only). `burst` >= 0.
  explicit RateLimiter(double rate, uint32_t burst = 8);

  // Reserves the next slot and returns how long the caller must wait before using it
  // (zero when it may go now). Never fails; reservations are kept even if the caller then
  // gives up, which only makes the scan slightly gentler.
  std::chrono::nanoseconds Reserve();

  // Blocks the calling thread until a slot is available (for non-async callers and tests).
  void Acquire();

  bool unlimited() const { return interval_ns_ == 0; }
  double rate() const { return rate_; }

 private:
  static int64_t NowNs();
  double rate_;
  int64_t interval_ns_;  // nanoseconds between admitted events; 0 = unlimited
  int64_t burst_ns_;     // how far the schedule may lag behind "now" (the burst allowance)
  std::atomic<int64_t> next_ns_;  // the schedule: earliest time of the next slot
};

}  // namespace phaseout::net
