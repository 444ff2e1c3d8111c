#include "apps/cli/cli_support.h"

#include <cstdio>
#include <utility>

namespace phaseout::cli {

std::optional<fingerprint::OuiRegistry> LoadOuiOrWarn(const std::string& dir, bool quiet, const char* command) {
  if (dir.empty()) return std::nullopt;
  auto loaded = fingerprint::OuiRegistry::Load(dir);
  if (loaded) return std::move(*loaded);
  if (!quiet) {
    std::fprintf(stderr, "%s: warning: MAC vendors unavailable: %s\n", command, loaded.error().message.c_str());
  }
  return std::nullopt;
}

}  // namespace phaseout::cli
