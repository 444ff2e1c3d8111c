// Internal: constructors of the Store backends, used by OpenStore (store.cc).
#pragma once

#include <memory>
#include <string>

#include "inventory/store.h"

namespace phaseout::inventory {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& options);
// Defined in postgres_store.cc when built with libpqxx (PHASEOUT_WITH_POSTGRES).
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& options);

}  // namespace phaseout::inventory
