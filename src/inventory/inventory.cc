// Inventory over a Store: opening and migrating the store, organisation (departments, sites),
// and the audit log and events every change writes. The rest of SqlInventory is in
// inventory_ingest.cc, inventory_lifecycle.cc and inventory_queries.cc (inventory_internal.h).
#include "inventory/inventory.h"

#include "core/json_dump.h"
#include "inventory/inventory_internal.h"
#include "inventory/schema.h"

namespace phaseout::inventory {
namespace internal {

Status SqlInventory::AppendAudit(AuditEntry e) {
  std::vector<AuditEntry> one;
  one.push_back(std::move(e));
  return AppendAudits(std::move(one));
}

Status SqlInventory::AppendAudits(std::vector<AuditEntry> entries) {
  if (entries.empty()) return Status::Ok();
  auto last = store_->Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!last) return last.error();
  int64_t seq = last->empty() ? 0 : ColInt(last->front(), 0);
  std::string prev = last->empty() ? std::string(kGenesisHash) : Col(last->front(), 1);
  std::string now = Now();
  std::vector<SqlValue> values;
  values.reserve(entries.size() * 11);
  for (AuditEntry& e : entries) {
    e.seq = ++seq;
    e.prev_hash = prev;
    if (e.at.empty()) e.at = now;
    e.hash = EntryHash(e);
    prev = e.hash;
    SqlValue row[] = {I(e.seq),    T(e.at),    T(e.actor), T(e.action),    I(e.device_id), I(e.scan_id),
                      T(e.before), T(e.after), T(e.note),  T(e.prev_hash), T(e.hash)};
    // SQLite is in-process: one prepared insert each is cheap. On PostgreSQL a single entry (a
    // lifecycle change) is one INSERT: a COPY would cost a round trip more.
    if (store_->dialect() == Dialect::kSqlite || entries.size() == 1) {
      PO_TRY(store_->Exec(
          "INSERT INTO audit_log (seq, at, actor, action, device_id, scan_id, before, after, note, prev_hash, hash) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          row));
      continue;
    }
    for (SqlValue& v : row) values.push_back(std::move(v));
  }
  if (values.empty()) return Status::Ok();
  static constexpr std::string_view kCols[] = {"seq",    "at",    "actor", "action",    "device_id", "scan_id",
                                               "before", "after", "note",  "prev_hash", "hash"};
  return store_->CopyRows("audit_log", kCols, values);
}

Status SqlInventory::AddEvent(Event e, const std::string& dedup_key, std::vector<Event>* out) {
  if (e.at.empty()) e.at = Now();
  SqlValue p[] = {T(e.at),       T(e.kind),      T(e.severity), T(e.site),
                  I(e.device_id), T(e.scan),     dedup_key.empty() ? SqlValue() : T(dedup_key), T(e.message)};
  auto r = store_->Query(
      "INSERT INTO events (at, kind, severity, site, device_id, scan, dedup_key, message) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
      p);
  if (!r) return r.error();
  if (!r->empty() && out != nullptr) {
    e.id = ColInt(r->front(), 0);
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

Result<DeviceRecord> SqlInventory::LoadDevice(int64_t id) {
  SqlValue p[] = {I(id)};
  auto rows = store_->Query(std::string(kReusePlan) + kDeviceSelect + "WHERE d.id = $1", p);
  if (!rows) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no device with id " + std::to_string(id));
  return ReadDevice(rows->front());
}

Result<SiteRow> SqlInventory::LoadSite(const std::string& key) {
  SqlValue p[] = {T(key)};
  auto rows = store_->Query(
      "SELECT s.id, s.key, dp.key, s.scopes, s.full_scans FROM sites s JOIN departments dp ON dp.id = s.department_id "
      "WHERE s.key = $1",
      p);
  if (!rows) return rows.error();
  if (rows->empty()) {
    return MakeError(ErrorCode::kNotFound,
                     "no site '" + key + "' in " + store_->description() + " (import a sites file: phaseout sites import FILE)");
  }
  SiteRow s;
  s.id = ColInt(rows->front(), 0);
  s.key = Col(rows->front(), 1);
  s.department = Col(rows->front(), 2);
  auto scopes = ParseScopeList(Col(rows->front(), 3));
  if (scopes) s.scopes = *scopes;
  s.full_scans = ColInt(rows->front(), 4);
  SqlValue q[] = {I(s.id)};
  auto dl = store_->Query("SELECT policy, deadline FROM site_deadlines WHERE site_id = $1", q);
  if (!dl) return dl.error();
  for (const auto& r : *dl) s.deadlines[Col(r, 0)] = Col(r, 1);
  return s;
}

Status SqlInventory::ImportSites(const SitesFile& file, const std::string& actor, const std::string& note) {
  if (actor.empty()) return MakeError(ErrorCode::kInvalidArgument, "an actor is required (--actor NAME)");
  return InTransaction(*store_, [&]() -> Status {
    for (const auto& d : file.departments) {
      SqlValue p[] = {T(d.id), T(d.name), T(d.owner)};
      PO_TRY(store_->Exec("INSERT INTO departments (key, name, owner) VALUES ($1, $2, $3) "
                          "ON CONFLICT (key) DO UPDATE SET name = excluded.name, owner = excluded.owner",
                          p));
    }
    for (const auto& s : file.sites) {
      SqlValue p[] = {T(s.id), T(s.department), T(s.name), T(s.owner), T(s.location), T(ScopeListToString(s.scopes))};
      // New scopes: which devices lie outside them is found out again by the next whole-site scan.
      SqlValue changed[] = {p[0], p[5]};
      PO_TRY(store_->Exec("UPDATE devices SET outside_scope = -1 WHERE outside_scope <> -1 AND site_id = (SELECT id "
                          "FROM sites WHERE key = $1 AND scopes <> $2)",
                          changed));
      PO_TRY(store_->Exec(
          "INSERT INTO sites (key, department_id, name, owner, location, scopes) "
          "SELECT $1, id, $3, $4, $5, $6 FROM departments WHERE key = $2 "
          "ON CONFLICT (key) DO UPDATE SET department_id = excluded.department_id, name = excluded.name, "
          "owner = excluded.owner, location = excluded.location, scopes = excluded.scopes",
          p));
      SqlValue k[] = {T(s.id)};
      PO_TRY(store_->Exec("DELETE FROM site_deadlines WHERE site_id = (SELECT id FROM sites WHERE key = $1)", k));
      for (const auto& [policy, date] : s.deadlines) {
        SqlValue q[] = {T(s.id), T(policy), T(date)};
        PO_TRY(store_->Exec("INSERT INTO site_deadlines (site_id, policy, deadline) "
                            "SELECT id, $2, $3 FROM sites WHERE key = $1",
                            q));
      }
    }
    json after = json::array();
    for (const auto& s : file.sites) {
      after.push_back({{"site", s.id}, {"department", s.department}, {"scopes", ScopeListToString(s.scopes)},
                       {"deadlines", s.deadlines}});
    }
    AuditEntry e;
    e.actor = actor;
    e.action = "sites-import";
    e.after = DumpJson(after);
    e.note = note.empty() ? "sites file imported" : note;
    return AppendAudit(std::move(e));
  });
}

Result<std::vector<Department>> SqlInventory::ListDepartments() {
  auto rows = store_->Query("SELECT key, name, owner FROM departments ORDER BY key");
  if (!rows) return rows.error();
  std::vector<Department> out;
  for (const auto& r : *rows) out.push_back({Col(r, 0), Col(r, 1), Col(r, 2)});
  return out;
}

Result<std::vector<Site>> SqlInventory::ListSites() {
  auto rows = store_->Query(
      "SELECT s.key, s.name, dp.key, s.owner, s.location, s.scopes FROM sites s "
      "JOIN departments dp ON dp.id = s.department_id ORDER BY dp.key, s.key");
  if (!rows) return rows.error();
  auto dl = store_->Query("SELECT s.key, d.policy, d.deadline FROM site_deadlines d JOIN sites s ON s.id = d.site_id");
  if (!dl) return dl.error();
  std::vector<Site> out;
  for (const auto& r : *rows) {
    Site s;
    s.id = Col(r, 0);
    s.name = Col(r, 1);
    s.department = Col(r, 2);
    s.owner = Col(r, 3);
    s.location = Col(r, 4);
    if (auto sc = ParseScopeList(Col(r, 5))) s.scopes = *sc;
    for (const auto& d : *dl) {
      if (Col(d, 0) == s.id) s.deadlines[Col(d, 1)] = Col(d, 2);
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<Site> SqlInventory::GetSite(const std::string& id) {
  auto all = ListSites();
  if (!all) return all.error();
  for (auto& s : *all) {
    if (s.id == id) return s;
  }
  return MakeError(ErrorCode::kNotFound, "no site '" + id + "'");
}

namespace {

// One statement per batch, in its own transaction (no writer lock: it writes only the search
// tables, which no reader's answer depends on): takes up to $1 queued ids, writes the search
// text of those devices as they are now (a device deleted since has none) and returns how many
// ids it took. A device changed again after this statement's snapshot was queued again by
// that change, so its newer text is written by a later refresh. One refresh at a time (the
// advisory lock; another one finds it taken and takes nothing).
const std::string& RefreshSearchSql() {
  static const std::string kSql =
      std::string("WITH turn AS (SELECT pg_try_advisory_xact_lock(7021802018) AS mine), "
                  "queued AS (DELETE FROM device_search_queue WHERE (SELECT mine FROM turn) AND ctid = ANY(ARRAY("
                  "SELECT ctid FROM device_search_queue LIMIT $1)) RETURNING device_id), "
                  "written AS (INSERT INTO device_search (device_id, body) SELECT d.id, ") +
      kDeviceSearchText +
      " FROM devices d WHERE d.id IN (SELECT device_id FROM queued) ON CONFLICT (device_id) DO UPDATE SET body = "
      "EXCLUDED.body) SELECT COUNT(*) FROM queued";
  return kSql;
}

}  // namespace

Result<int64_t> SqlInventory::RefreshSearchIndex() {
  if (store_->dialect() != Dialect::kPostgres) return int64_t{0};
  if (store_->in_transaction()) {
    return MakeError(ErrorCode::kInternal, "the search index is refreshed outside a transaction");
  }
  constexpr int64_t kBatch = 10000;
  int64_t total = 0;
  while (true) {
    SqlValue p[] = {I(kBatch)};
    auto n = store_->Query(RefreshSearchSql(), p);
    if (!n) return n.error();
    int64_t taken = n->empty() ? 0 : ColInt(n->front(), 0);
    total += taken;
    if (taken < kBatch) return total;
  }
}

}  // namespace internal

Result<std::unique_ptr<Inventory>> Inventory::Open(const std::string& location, const InventoryOptions& options) {
  auto store = OpenStore(location, options.store);
  if (!store) return store.error();
  if (!options.store.read_only) {
    PO_TRY(internal::Migrate(**store, kSchemaVersion));
  } else {
    // Read-only: still refuse a newer schema rather than misread it.
    auto v = (*store)->Query("SELECT value FROM schema_meta WHERE key = 'version'");
    if (v && !v->empty() && ColInt(v->front(), 0) > kSchemaVersion) {
      return MakeError(ErrorCode::kInvalidArgument, "database " + (*store)->description() + " has schema version " +
                                                        Col(v->front(), 0) + ", newer than this phaseout understands (" +
                                                        std::to_string(kSchemaVersion) + "): upgrade phaseout");
    }
  }
  return std::unique_ptr<Inventory>(std::make_unique<internal::SqlInventory>(std::move(*store), options));
}

}  // namespace phaseout::inventory
