// Locates the shipped data/ directory.
#include "core/data_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace phaseout {
namespace {
bool HoldsData(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "vendors.yaml", ec);
}
}  // namespace

Result<std::string> FindDataDir(const std::string& override_dir) {
  if (!override_dir.empty()) {
    if (HoldsData(override_dir)) return override_dir;
    return MakeError(ErrorCode::kNotFound,
                     "data directory '" + override_dir + "' has no vendors.yaml");
  }
  std::vector<std::string> tried;
  if (const char* env = std::getenv("PHASEOUT_DATA_DIR"); env != nullptr && *env != '\0') {
    if (HoldsData(env)) return std::string(env);
    tried.push_back(std::string(env) + " ($PHASEOUT_DATA_DIR)");
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    auto candidate = std::filesystem::path(exe).parent_path() / ".." / "share" / "phaseout" / "data";
    if (HoldsData(candidate)) return candidate.lexically_normal().string();
    tried.push_back(candidate.lexically_normal().string());
  }
#ifdef PHASEOUT_SOURCE_DATA_DIR
  if (HoldsData(PHASEOUT_SOURCE_DATA_DIR)) return std::string(PHASEOUT_SOURCE_DATA_DIR);
  tried.push_back(PHASEOUT_SOURCE_DATA_DIR);
#endif
  std::string msg = "cannot find phaseout data (vendors.yaml); tried:";
  for (const auto& t : tried) msg += " " + t;
  msg += "; pass --data-dir or set PHASEOUT_DATA_DIR";
  return MakeError(ErrorCode::kNotFound, msg);
}

}  // namespace phaseout
