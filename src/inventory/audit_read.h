// Reading the whole audit log through the inventory (audit_read.cc). Apart from inventory.h so
// that adding it did not touch the header every module includes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "inventory/audit.h"

namespace phaseout::inventory {

class Inventory;

// The audit log in sequence order from after `after_seq`, at most `limit` entries (1..5000);
// only the entries about one device when `devices_only`. Read-only; for the server's audit
// route and for readers that page through the whole log.
Result<std::vector<AuditEntry>> ReadAuditLog(Inventory& inv, int64_t after_seq, int64_t limit,
                                             bool devices_only = false);

}  // namespace phaseout::inventory
