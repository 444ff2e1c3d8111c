// A minimal single-threaded non-blocking epoll connect-and-read loop over a TargetSet x ports:
// the physical-limit baseline the scan benchmark compares the full engine against
// (issue 2 section 7). No probes, no parsing, no rate limit: connect, optionally send one
// fixed request, read one chunk, close with RST.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "net/target_set.h"

namespace phaseout::net {

struct EpollBaselineOptions {
  std::vector<uint16_t> ports;          // REQUIRES: non-empty
  uint32_t concurrency = 1024;          // sockets in flight at once
  uint32_t connect_timeout_ms = 1500;
  uint32_t read_timeout_ms = 3000;      // wait for the first chunk after connecting
  // Bytes sent right after connecting, by port (e.g. "GET / HTTP/1.0\r\n\r\n" for 80); ports
  // without an entry send nothing and wait for a banner.
  std::unordered_map<uint16_t, std::string> requests;
  size_t read_bytes = 4096;             // size of the one read
};

struct EpollBaselineResult {
  uint64_t attempts = 0;   // connect() calls
  uint64_t open = 0;       // connections established
  uint64_t refused = 0;
  uint64_t timeouts = 0;   // connect or read timeouts
  uint64_t errors = 0;     // other failures (EMFILE is retried, not counted here)
  uint64_t replies = 0;    // connections that returned at least one byte
  uint64_t bytes = 0;
  double seconds = 0;
  double attempts_per_second() const { return seconds > 0 ? attempts / seconds : 0; }
};

// Runs the loop over every (address, port) pair, addresses in ascending order, ports in the
// given order. Blocks until done. Returns kInvalidArgument for empty ports or zero
// concurrency, kIo if epoll cannot be created. Per-connection failures are only counted.
Result<EpollBaselineResult> RunEpollBaseline(const TargetSet& targets, const EpollBaselineOptions& options);

}  // namespace phaseout::net
