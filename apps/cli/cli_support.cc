#include "apps/cli/cli_support.h"

#include <cstdio>
#include <ctime>
#include <utility>

namespace phaseout::cli {

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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
