// Opening the database for the server's bootstrap commands.
#include "apps/server/server_cli.h"

#include <cstdio>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"

namespace phaseout::cli {

std::unique_ptr<inventory::Inventory> OpenServerDatabase(const std::string& command, const std::string& db,
                                                         int* exit_code) {
  auto inv = OpenInventoryOrReport(command, db, exit_code);
  if (!inv) return nullptr;
  if (Status s = server::MigrateServerTables(inv->store()); !s.ok()) {
    std::fprintf(stderr, "phaseout %s: %s\n", command.c_str(), s.error().message.c_str());
    *exit_code = ExitCodeFor(s.error());
    return nullptr;
  }
  return inv;
}

}  // namespace phaseout::cli
