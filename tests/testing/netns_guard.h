// Guard for tests that open sockets: they run only inside a private, loopback-only network
// namespace (scripts/netns-run). Outside one they are skipped with a message, or fail when
// PHASEOUT_REQUIRE_NETNS=1 (as scripts/test sets) so CI can never silently skip them.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/isolation.h"

#define PHASEOUT_REQUIRE_ISOLATED_NETWORK()                                                  \
  do {                                                                                       \
    std::string phaseout_why_;                                                               \
    if (!::phaseout::net::IsIsolatedNetwork(&phaseout_why_)) {                               \
      const char* phaseout_req_ = std::getenv("PHASEOUT_REQUIRE_NETNS");                     \
      if (phaseout_req_ != nullptr && std::string(phaseout_req_) == "1") {                   \
        FAIL() << "socket test outside a private network namespace (" << phaseout_why_       \
               << "); run it through scripts/netns-run";                                     \
      }                                                                                      \
      GTEST_SKIP() << "refusing to open sockets outside a private network namespace ("       \
                   << phaseout_why_ << "); run through scripts/netns-run";                    \
    }                                                                                        \
  } while (0)
