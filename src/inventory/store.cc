// OpenStore: picks the backend from the location; the default per-user location.
#include "inventory/store.h"

#include <cstdlib>

#include "inventory/store_backends.h"

namespace phaseout::inventory {

bool IsPostgresLocation(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string DefaultStoreLocation() {
  if (const char* env = std::getenv("PHASEOUT_DB"); env != nullptr && *env != '\0') return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/phaseout/inventory.db";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.local/share/phaseout/inventory.db";
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const StoreOptions& options) {
  if (location.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty database location");
  if (IsPostgresLocation(location)) {
#ifdef PHASEOUT_WITH_POSTGRES
    return OpenPostgresStore(location, options);
#else
    return MakeError(ErrorCode::kInvalidArgument,
                     "this phaseout was built without PostgreSQL support (libpqxx); use an SQLite path");
#endif
  }
  return OpenSqliteStore(location, options);
}

Status Store::CopyRows(std::string_view table, std::span<const std::string_view>, std::span<const SqlValue>) {
  return MakeError(ErrorCode::kInternal, "CopyRows into " + std::string(table) + ": not supported by " + description());
}

int64_t ColInt(const SqlRow& row, size_t i) {
  const auto& v = row.at(i);
  if (!v || v->empty()) return 0;
  return std::strtoll(v->c_str(), nullptr, 10);
}

}  // namespace phaseout::inventory
