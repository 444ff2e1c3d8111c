// Locates the shipped data/ directory (fingerprints, vendors, policies, lab profiles).
#pragma once

#include <string>

#include "core/result.h"

namespace phaseout {

// Returns the data directory to use. Order: `override_dir` if non-empty, $PHASEOUT_DATA_DIR,
// <executable dir>/../share/phaseout/data, the source tree's data/ (compiled in).
// Fails with kNotFound naming every place tried when none holds vendors.yaml.
Result<std::string> FindDataDir(const std::string& override_dir = "");

}  // namespace phaseout
