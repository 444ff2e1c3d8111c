// Detects whether this process runs in a private network namespace with loopback only.
// Socket tests, the lab and benchmarks use it to refuse to run where they could reach a
// real network.
#pragma once

#include <string>

namespace phaseout::net {

// True iff the only network interface visible to this process is the loopback interface.
// On failure to list interfaces returns false (refuse rather than risk a real network).
bool IsIsolatedNetwork(std::string* why = nullptr);

}  // namespace phaseout::net
