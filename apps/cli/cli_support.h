// Small pieces several subcommands share: the IEEE MAC register loaded with the same warning
// everywhere.
#pragma once

#include <optional>
#include <string>

#include "fingerprint/oui_registry.h"

namespace phaseout::cli {

// The register in `dir` (empty: none wanted). When it cannot be loaded, `command` ("phaseout
// scan") prints a warning unless `quiet`, and MAC addresses then identify nothing.
std::optional<fingerprint::OuiRegistry> LoadOuiOrWarn(const std::string& dir, bool quiet, const char* command);

}  // namespace phaseout::cli
