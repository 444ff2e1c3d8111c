// Schema migrations. Migration N creates what version N needs; a migration is never edited
// once released (add N+1 instead). "{PK}" and "{APPEND_ONLY}" are filled in per dialect.
#include "inventory/schema.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phaseout::inventory::internal {
namespace {

// Version 1: organisation, raw scan events, derived devices, audit log, events, merge reviews.
constexpr const char* kMigration1 = R"SQL(
CREATE TABLE departments (
  id {PK},
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sites (
  id {PK},
  key TEXT NOT NULL UNIQUE,
  department_id BIGINT NOT NULL REFERENCES departments(id),
  name TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  scopes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE site_deadlines (
  site_id BIGINT NOT NULL REFERENCES sites(id),
  policy TEXT NOT NULL,
  deadline TEXT NOT NULL,
  PRIMARY KEY (site_id, policy)
);
CREATE TABLE scans (
  id {PK},
  key TEXT NOT NULL UNIQUE,
  site_id BIGINT NOT NULL REFERENCES sites(id),
  agent TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL,
  rules_version TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL DEFAULT '',
  complete INTEGER NOT NULL DEFAULT 0,
  records BIGINT NOT NULL DEFAULT 0,
  ingested_at TEXT NOT NULL
);
CREATE TABLE scan_records (
  scan_id BIGINT NOT NULL REFERENCES scans(id),
  seq BIGINT NOT NULL,
  ip TEXT NOT NULL,
  device_id BIGINT,
  match_rule TEXT NOT NULL DEFAULT '',
  record TEXT NOT NULL,
  PRIMARY KEY (scan_id, seq)
);
CREATE TABLE devices (
  id {PK},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  mac TEXT NOT NULL DEFAULT '',
  serial TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  manufacturer TEXT NOT NULL DEFAULT '',
  brand TEXT NOT NULL DEFAULT '',
  device_type TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  firmware TEXT NOT NULL DEFAULT '',
  prohibited TEXT NOT NULL DEFAULT '',
  review TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  prior_state TEXT NOT NULL DEFAULT '',
  state_since TEXT NOT NULL,
  replacement_model TEXT NOT NULL DEFAULT '',
  target_date TEXT NOT NULL DEFAULT '',
  removed_by TEXT NOT NULL DEFAULT '',
  waiver_approver TEXT NOT NULL DEFAULT '',
  waiver_reason TEXT NOT NULL DEFAULT '',
  waiver_expiry TEXT NOT NULL DEFAULT '',
  waiver_expired INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  last_scan_id BIGINT NOT NULL DEFAULT 0,
  missed_scans BIGINT NOT NULL DEFAULT 0,
  match_rule TEXT NOT NULL DEFAULT ''
);
CREATE INDEX devices_site_mac ON devices (site_id, mac);
CREATE INDEX devices_site_serial ON devices (site_id, serial);
CREATE INDEX devices_site_ip ON devices (site_id, ip);
CREATE INDEX devices_state ON devices (state);
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  device_id BIGINT NOT NULL DEFAULT 0,
  scan_id BIGINT NOT NULL DEFAULT 0,
  before TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_device ON audit_log (device_id);
CREATE TABLE events (
  id {PK},
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  site TEXT NOT NULL DEFAULT '',
  device_id BIGINT NOT NULL DEFAULT 0,
  scan TEXT NOT NULL DEFAULT '',
  dedup_key TEXT UNIQUE,
  message TEXT NOT NULL
);
CREATE TABLE merge_reviews (
  id {PK},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  device_a BIGINT NOT NULL,
  device_b BIGINT NOT NULL,
  reason TEXT NOT NULL,
  scan TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open'
);
{APPEND_ONLY}
)SQL";

// The audit log refuses UPDATE and DELETE: history is append-only. (Someone with raw access
// can drop the trigger; the hash chain still exposes any edit.)
constexpr const char* kSqliteAppendOnly = R"SQL(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)SQL";

constexpr const char* kPostgresAppendOnly = R"SQL(
CREATE FUNCTION phaseout_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION phaseout_audit_append_only();
)SQL";

// Version 2: devices remember which raw record last attached them (scan_id + seq, so the
// evidence of a device is one primary-key read without an index on the ingest's hot path), and
// an index that serves device pages ordered by site and id and the verification pass. The MAC
// and serial indexes leave out devices without one (most scanned devices show no serial), and
// the state index goes (a state filter reads the site's devices anyway): fewer index writes
// per new device.
constexpr const char* kMigration2 = R"SQL(
ALTER TABLE devices ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
UPDATE devices SET last_seq = COALESCE((SELECT MAX(r.seq) FROM scan_records r
  WHERE r.scan_id = devices.last_scan_id AND r.device_id = devices.id), 0);
CREATE INDEX devices_site_id ON devices (site_id, id);
DROP INDEX devices_state;
DROP INDEX devices_site_mac;
DROP INDEX devices_site_serial;
CREATE INDEX devices_site_mac2 ON devices (site_id, mac) WHERE mac <> '';
CREATE INDEX devices_site_serial2 ON devices (site_id, serial) WHERE serial <> '';
)SQL";

// Version 3: device pages served by indexes (docs/inventory.md, "Device pages"). `overdue_from`
// is the date from which a device is overdue by its own fields (expired waiver, passed
// replacement target; '0': a waiver expired while open), '' when they never make it overdue;
// computed by the database on every insert and update, so the ingest writes nothing more.
// Overdue by a site's passed policy deadline is decided in the query. The partial indexes
// leave out what a new device is ('' and state found), so the ingest of new devices adds no
// index entries; {SEARCH_INDEX}: a trigram index for text search (PostgreSQL pg_trgm).
constexpr const char* kMigration3 = R"SQL(
ALTER TABLE devices ADD COLUMN overdue_from TEXT GENERATED ALWAYS AS (CASE
  WHEN state = 'waived' AND waiver_expiry <> '' THEN waiver_expiry
  WHEN state IN ('found', 'confirmed', 'replacement-planned', 'missing') AND waiver_expired <> 0 THEN '0'
  WHEN state = 'replacement-planned' AND target_date <> '' THEN target_date
  ELSE '' END) {GENERATED};
CREATE INDEX devices_overdue_from ON devices (overdue_from) WHERE overdue_from <> '';
CREATE INDEX devices_site_state ON devices (site_id, state, id) WHERE state <> 'found';
{SEARCH_INDEX}
)SQL";

// pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Without the
// right (or without the contrib module) text search still works, reading every device.
constexpr const char* kPostgresSearchIndex = R"SQL(
DO $$ BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX devices_search_trgm ON devices USING gin (
    (ip || ' ' || mac || ' ' || serial || ' ' || manufacturer || ' ' || brand || ' ' || model) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'phaseout: no trigram index for device text search (%)', SQLERRM;
END $$;
)SQL";

// Version 4 (PostgreSQL storage only, nothing on SQLite): new pages of the devices table are
// filled to half. Every complete scan updates every device of its scope once (the devices it
// saw: last sighting; the others: one more missed scan). With room on the page the new row
// version stays there and, since those updates change no indexed column, PostgreSQL writes no
// index entries for it (a HOT update); on full pages each update wrote an entry in every index
// of the table, the trigram index included (docs/performance.md, "Server under load").
// Existing rows move to such pages as they are next updated.
constexpr const char* kMigration4 = R"SQL(
{DEVICES_FILLFACTOR}
)SQL";

// Version 5: a scan keeps the digest of its raw records as they come in (SqlScanIngest::
// DigestState), so completing a scan pushed in chunks does not re-read them all for its audit
// entry. '' (scans stored before): not kept, the completing ingest reads the records.
constexpr const char* kMigration5 = R"SQL(
ALTER TABLE scans ADD COLUMN records_digest TEXT NOT NULL DEFAULT '';
)SQL";

// Version 6 (PostgreSQL only; SQLite keeps its foreign keys, checked cheaply in-process): the
// references devices.site_id -> sites and scan_records.scan_id -> scans are checked once per
// statement instead of once per row. PostgreSQL checks a foreign key with one query per inserted
// row; in an API ingest those were about a third of the cost of inserting a device
// (docs/performance.md, "ninth pass"). An insert (COPY included) is checked over its transition
// table in one query, a change of the reference row by row (only when it changes), and the parent
// refuses to go while referenced, as the foreign key did. phaseout never deletes sites or scans.
constexpr const char* kMigration6 = R"SQL(
{STATEMENT_REFERENCES}
)SQL";

// Version 7: the covered devices of each site in id order, an index of their keys alone. Their
// list (status covered, the list an office works through) is read in that order; deep pages
// of it start from checkpoints found by walking its keys (docs/inventory.md, "Commands"),
// and that walk and the capped count read this index only, without the table (on PostgreSQL
// 85 ms -> 21 ms for 30,000 covered devices, 5 ms for their count; docs/performance.md).
constexpr const char* kMigration7 = R"SQL(
CREATE INDEX devices_site_covered ON devices (site_id, id) WHERE prohibited <> '';
)SQL";

// Version 8 (PostgreSQL only; SQLite's PRAGMA data_version serves): a counter of the
// transactions that wrote the inventory. Its number is the data version read caches are kept
// under (PostgresStore::DataVersion): it moves with the inventory's data and nothing else. A
// statement trigger on every table of the inventory adds one, once per transaction (the row
// keeps the adding transaction's id). Writers already take turns (the writer lock), so the row
// lock adds no waiting. InventorySuite.EveryInventoryTableCountsItsWrites checks the list.
constexpr const char* kMigration8 = R"SQL(
{WRITE_COUNTER}
)SQL";

// Version 9 (PostgreSQL only): text search reads a table of its own, device_search (a device's
// searchable fields joined, trigram-indexed), instead of a trigram index on devices. That index
// was two thirds of the cost of inserting a device and half of every change of state (a state
// change is no HOT update: every index of the row gets an entry; docs/performance.md, "twelfth
// pass"). device_search is brought up to date after the commit that changed a device
// (SqlInventory::RefreshSearchIndex): triggers on devices put the id of every inserted device, and
// of every device whose searchable fields changed, in device_search_queue within the changing
// transaction. A search takes the queued devices as candidates beside the index's and checks
// every candidate against the devices' own fields, so it is right before the refresh and fast
// after it. A deleted device leaves device_search at once. The statistics object keeps what the
// index on devices gave the planner for free: the distribution of the joined fields, so that it
// knows how many devices a text matches (a maker's name: a third of them) and walks a site's
// devices in order for such a text instead of reading and sorting the whole site (custom plans
// of 0.3-1 s for `q=hikvision` without it, 2 ms with it).
constexpr const char* kMigration9 = R"SQL(
{SEARCH_TABLE}
)SQL";

// Version 10: missed scans of complete scans covering a whole site are counted once per site
// instead of once per unseen device (an UPDATE of every unseen device per scan: 0.18 s of the
// 1.2 s an ingest of 20,000 new hosts took at a site of 100,000; docs/performance.md, "fourteenth
// pass"). A device's missed scans are
//   devices.missed_scans + sites.full_scans - devices.full_scans_seen - scans.full_counted
// (the scan of its last sighting): full_scans counts the site's whole-site scans, full_scans_seen
// is that count when the device was last seen, full_counted marks a last scan that is itself one
// of them (it completed after the sighting). devices.missed_scans keeps what the site's count
// cannot give: scans of part of a site, a change of state resetting the count, and -1 for each
// whole-site scan that did not cover a device recorded outside the site's scopes
// (outside_scope: 1 outside, 0 inside, -1 not yet known, e.g. after the site's scopes changed;
// a partial index holds the few that are not 0, so a whole-site scan finds them without reading
// the site: 50 ms for a site of 50,000 devices without it).
constexpr const char* kMigration10 = R"SQL(
ALTER TABLE sites ADD COLUMN full_scans BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN full_counted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN full_scans_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN outside_scope INTEGER NOT NULL DEFAULT -1;
CREATE INDEX devices_outside ON devices (site_id, id) WHERE outside_scope <> 0;
)SQL";

constexpr const char* kPostgresSearchTable = R"SQL(
DROP INDEX IF EXISTS devices_search_trgm;
CREATE TABLE device_search (device_id BIGINT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE device_search_queue (device_id BIGINT NOT NULL);
INSERT INTO device_search (device_id, body)
SELECT id, ip || ' ' || mac || ' ' || serial || ' ' || manufacturer || ' ' || brand || ' ' || model FROM devices;
CREATE STATISTICS devices_search_text ON
  (ip || ' ' || mac || ' ' || serial || ' ' || manufacturer || ' ' || brand || ' ' || model) FROM devices;
ANALYZE devices;
DO $$ BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX device_search_trgm ON device_search USING gin (body gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'phaseout: no trigram index for device text search (%)', SQLERRM;
END $$;
CREATE FUNCTION phaseout_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_search_queue (device_id) SELECT id FROM phaseout_new;
  RETURN NULL;
END $$;
CREATE TRIGGER devices_search_inserted AFTER INSERT ON devices REFERENCING NEW TABLE AS phaseout_new
FOR EACH STATEMENT EXECUTE FUNCTION phaseout_search_inserted();
CREATE FUNCTION phaseout_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_search_queue (device_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER devices_search_changed AFTER UPDATE OF id, ip, mac, serial, manufacturer, brand, model ON devices
FOR EACH ROW WHEN ((OLD.id, OLD.ip, OLD.mac, OLD.serial, OLD.manufacturer, OLD.brand, OLD.model) IS DISTINCT FROM
                   (NEW.id, NEW.ip, NEW.mac, NEW.serial, NEW.manufacturer, NEW.brand, NEW.model))
EXECUTE FUNCTION phaseout_search_changed();
CREATE FUNCTION phaseout_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM device_search s USING phaseout_old o WHERE s.device_id = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER devices_search_deleted AFTER DELETE ON devices REFERENCING OLD TABLE AS phaseout_old
FOR EACH STATEMENT EXECUTE FUNCTION phaseout_search_deleted();
CREATE FUNCTION phaseout_search_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE device_search, device_search_queue;
  RETURN NULL;
END $$;
CREATE TRIGGER devices_search_truncated AFTER TRUNCATE ON devices
FOR EACH STATEMENT EXECUTE FUNCTION phaseout_search_truncated();
)SQL";

constexpr const char* kPostgresWriteCounter = R"SQL(
CREATE TABLE inventory_version (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL, writer BIGINT NOT NULL);
INSERT INTO inventory_version VALUES (1, 0, 0);
CREATE FUNCTION phaseout_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE inventory_version SET n = n + 1, writer = pg_current_xact_id()::text::bigint
  WHERE writer <> pg_current_xact_id()::text::bigint;
  RETURN NULL;
END $$;
)SQL";

// The tables whose writes move the inventory's version (every table of the inventory).
constexpr const char* kInventoryTables[] = {"departments", "sites",  "site_deadlines", "scans",         "scan_records",
                                            "devices",     "audit_log", "events",     "merge_reviews", "schema_meta"};

// One reference checked per statement: {CHILD}.{COLUMN} names a row of {PARENT}.
constexpr const char* kPostgresStatementReference = R"SQL(
ALTER TABLE {CHILD} DROP CONSTRAINT IF EXISTS {CHILD}_{COLUMN}_fkey;
CREATE FUNCTION phaseout_{CHILD}_{COLUMN}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM phaseout_new n WHERE NOT EXISTS (SELECT 1 FROM {PARENT} p WHERE p.id = n.{COLUMN})) THEN
    RAISE EXCEPTION '{CHILD}.{COLUMN} names no row of {PARENT}' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER {CHILD}_{COLUMN}_inserted AFTER INSERT ON {CHILD} REFERENCING NEW TABLE AS phaseout_new
FOR EACH STATEMENT EXECUTE FUNCTION phaseout_{CHILD}_{COLUMN}_inserted();
CREATE FUNCTION phaseout_{CHILD}_{COLUMN}_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {PARENT} WHERE id = NEW.{COLUMN}) THEN
    RAISE EXCEPTION '{CHILD}.{COLUMN} names no row of {PARENT}' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER {CHILD}_{COLUMN}_moved AFTER UPDATE OF {COLUMN} ON {CHILD}
FOR EACH ROW WHEN (OLD.{COLUMN} IS DISTINCT FROM NEW.{COLUMN}) EXECUTE FUNCTION phaseout_{CHILD}_{COLUMN}_moved();
)SQL";

// The parents of those references refuse to go (or change id) while referenced.
constexpr const char* kPostgresKeepReferenced = R"SQL(
CREATE FUNCTION phaseout_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
  IF (TG_TABLE_NAME = 'sites' AND EXISTS (SELECT 1 FROM devices WHERE site_id = OLD.id)) OR
     (TG_TABLE_NAME = 'scans' AND EXISTS (SELECT 1 FROM scan_records WHERE scan_id = OLD.id)) THEN
    RAISE EXCEPTION '% row % is still referenced', TG_TABLE_NAME, OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER sites_keep_referenced BEFORE UPDATE OF id OR DELETE ON sites
FOR EACH ROW EXECUTE FUNCTION phaseout_keep_referenced();
CREATE TRIGGER scans_keep_referenced BEFORE UPDATE OF id OR DELETE ON scans
FOR EACH ROW EXECUTE FUNCTION phaseout_keep_referenced();
)SQL";

// Every {TOKEN} of `sql` replaced by its text.
std::string ReplaceAll(std::string sql, std::initializer_list<std::pair<std::string_view, std::string_view>> tokens) {
  for (const auto& [token, with] : tokens) {
    for (size_t pos = sql.find(token); pos != std::string::npos; pos = sql.find(token, pos + with.size())) {
      sql.replace(pos, token.size(), with);
    }
  }
  return sql;
}

std::string PostgresStatementReferences() {
  return ReplaceAll(kPostgresStatementReference, {{"{CHILD}", "devices"}, {"{COLUMN}", "site_id"}, {"{PARENT}", "sites"}}) +
         ReplaceAll(kPostgresStatementReference,
                    {{"{CHILD}", "scan_records"}, {"{COLUMN}", "scan_id"}, {"{PARENT}", "scans"}}) +
         kPostgresKeepReferenced;
}

std::string PostgresWriteCounter() {
  std::string sql = kPostgresWriteCounter;
  for (const char* table : kInventoryTables) {
    sql += ReplaceAll("CREATE TRIGGER {T}_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {T}\n"
                      "FOR EACH STATEMENT EXECUTE FUNCTION phaseout_count_write();\n",
                      {{"{T}", table}});
  }
  return sql;
}

std::string Fill(std::string sql, Dialect d) {
  bool lite = d == Dialect::kSqlite;
  std::string references = lite ? "" : PostgresStatementReferences();
  std::string counter = lite ? "" : PostgresWriteCounter();
  return ReplaceAll(std::move(sql),
                    {{"{PK}", lite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY"},
                     {"{APPEND_ONLY}", lite ? kSqliteAppendOnly : kPostgresAppendOnly},
                     // SQLite adds only virtual generated columns to an existing table (indexable all the same).
                     {"{GENERATED}", lite ? "VIRTUAL" : "STORED"},
                     {"{SEARCH_INDEX}", lite ? "" : kPostgresSearchIndex},
                     {"{DEVICES_FILLFACTOR}", lite ? "" : "ALTER TABLE devices SET (fillfactor = 50);"},
                     {"{STATEMENT_REFERENCES}", references},
                     {"{WRITE_COUNTER}", counter},
                     {"{SEARCH_TABLE}", lite ? "" : kPostgresSearchTable}});
}

const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kAll = {kMigration1, kMigration2, kMigration3, kMigration4, kMigration5,
                                                kMigration6, kMigration7, kMigration8, kMigration9,
                                                kMigration10};
  return kAll;
}

Result<int> CurrentVersion(Store& store) {
  auto exists = store.dialect() == Dialect::kSqlite
                    ? store.Query("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_meta'")
                    : store.Query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND "
                                  "tablename = 'schema_meta'");
  if (!exists) return exists.error();
  if (exists->empty()) return 0;
  auto v = store.Query("SELECT value FROM schema_meta WHERE key = 'version'");
  if (!v) return v.error();
  if (v->empty()) return 0;
  return static_cast<int>(ColInt(v->front(), 0));
}

}  // namespace

Status Migrate(Store& store, int target_version) {
  auto current = CurrentVersion(store);
  if (!current) return current.error();
  if (*current > target_version) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database " + store.description() + " has schema version " + std::to_string(*current) +
                         ", newer than this phaseout understands (" + std::to_string(target_version) +
                         "): upgrade phaseout; the database was left untouched");
  }
  if (*current == target_version) return Status::Ok();
  return InTransaction(store, [&]() -> Status {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    auto again = CurrentVersion(store);
    if (!again) return again.error();
    if (*again == 0) {
      if (Status s = store.ExecScript("CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
          !s.ok()) {
        return s;
      }
      SqlValue p[] = {std::string("0")};
      if (Status s = store.Exec("INSERT INTO schema_meta (key, value) VALUES ('version', $1)", p); !s.ok()) return s;
    }
    for (int v = *again + 1; v <= target_version; ++v) {
      if (Status s = store.ExecScript(Fill(Migrations().at(v - 1), store.dialect())); !s.ok()) return s;
    }
    SqlValue p[] = {std::to_string(target_version)};
    return store.Exec("UPDATE schema_meta SET value = $1 WHERE key = 'version'", p);
  });
}

}  // namespace phaseout::inventory::internal
