// Shared pieces of `phaseout users` and `phaseout agents`: opening the database with the
// server tables.
#pragma once

#include <memory>
#include <string>

#include "inventory/inventory.h"
#include "server/auth.h"

namespace phaseout::cli {

// The inventory at `db` (default location when empty) with the server tables migrated; nullptr
// after printing the error (with *exit_code set).
std::unique_ptr<inventory::Inventory> OpenServerDatabase(const std::string& command, const std::string& db,
                                                         int* exit_code);

}  // namespace phaseout::cli
