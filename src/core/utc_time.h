// The current time as phaseout records it everywhere (outputs, inventory, imports).
#pragma once

#include <string>

namespace phaseout {

// Now, UTC, to the second: 2026-12-01T09:30:00Z.
std::string UtcNowIso8601();

}  // namespace phaseout
