// The JSON form of one inventory device: the server API's device objects and `phaseout
// inventory list|show --format json` (one shape, documented in docs/openapi.yaml).
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace phaseout::inventory {

struct DeviceRecord;

// Every field of `d` under its snake_case name; state names as in lifecycle.h, prior_state
// null when there is none.
nlohmann::json DeviceJson(const DeviceRecord& d);

}  // namespace phaseout::inventory
