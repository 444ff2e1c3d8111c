// Internal: the versioned schema migrations of the inventory, one list for both dialects.
#pragma once

#include "inventory/store.h"

namespace phaseout::inventory::internal {

// Brings the database to `target_version`, each migration in its own transaction. Fails with
// kInvalidArgument if the database is from a newer version, kIo on database errors.
Status Migrate(Store& store, int target_version);

}  // namespace phaseout::inventory::internal
