// ReadAuditLog: pages of the whole audit log through the inventory's store (one parameterised
// SELECT), so no caller outside the inventory writes SQL against audit_log.
#include "inventory/audit_read.h"

#include "inventory/inventory_internal.h"

namespace phaseout::inventory {

Result<std::vector<AuditEntry>> ReadAuditLog(Inventory& inv, int64_t after_seq, int64_t limit, bool devices_only) {
  if (limit < 1 || limit > 5000) return MakeError(ErrorCode::kInvalidArgument, "an audit page holds 1 to 5000 entries");
  if (after_seq < 0) return MakeError(ErrorCode::kInvalidArgument, "after must be 0 or more");
  SqlValue p[] = {SqlValue(after_seq), SqlValue(limit)};
  std::string sql = std::string(internal::kAuditSelect) + "WHERE seq > $1 ";
  if (devices_only) sql += "AND device_id <> 0 ";
  sql += "ORDER BY seq LIMIT $2";
  auto rows = inv.store().Query(sql, p);
  if (!rows) return rows.error();
  std::vector<AuditEntry> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(internal::AuditFromRow(r));
  return out;
}

}  // namespace phaseout::inventory
