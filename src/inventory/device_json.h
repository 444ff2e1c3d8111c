// The JSON form of one inventory device: the server API's device objects and `phaseout
// inventory list|show --format json` (one shape, documented in docs/openapi.yaml).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace phaseout::inventory {

struct DeviceRecord;

// Appends the device as one compact JSON object: every field of `d` under its snake_case name,
// keys in byte order (the order and bytes DumpJson gives the same fields as an nlohmann::json
// object), state names as in lifecycle.h, prior_state null when there is none. Lists of
// devices (the API's pages, `inventory list`) are written with it: building an nlohmann
// object per device cost ~80,000 instructions, most of a list page's server time.
void AppendDeviceJson(const DeviceRecord& d, std::string* out);

// The same object as an nlohmann::json value (for callers that add fields to it).
nlohmann::json DeviceJson(const DeviceRecord& d);

}  // namespace phaseout::inventory
