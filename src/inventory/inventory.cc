// Inventory over a Store: organisation, ingest with identity resolution and verification,
// lifecycle with audit, events, diff and rebuild. All SQL is parameterised and written once
// for both dialects.
#include "inventory/inventory.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "inventory/identity.h"
#include "inventory/schema.h"

namespace phaseout::inventory {
namespace {

using nlohmann::json;

#define PO_TRY(expr)                                     \
  do {                                                   \
    if (Status _s = (expr); !_s.ok()) return _s.error(); \
  } while (0)

// Same, for functions returning Status.
#define PO_TRY_S(expr)                           \
  do {                                           \
    if (Status _s = (expr); !_s.ok()) return _s; \
  } while (0)
#define PO_TRY_R(expr) PO_TRY(expr)

std::string SystemNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

SqlValue T(std::string s) { return SqlValue(std::move(s)); }
SqlValue I(int64_t n) { return SqlValue(n); }

// Appends values to a statement's parameter list (moved, not copied).
template <typename... V>
void Push(std::vector<SqlValue>& out, V&&... v) {
  (out.push_back(std::forward<V>(v)), ...);
}

DeviceState StateOr(const std::string& name, DeviceState fallback) {
  auto s = ParseDeviceState(name);
  return s ? *s : fallback;
}

// Columns of a device row, in ReadDevice order.
constexpr const char* kDeviceSelect =
    "SELECT d.id, s.key, dp.key, d.mac, d.serial, d.ip, d.manufacturer, d.brand, d.device_type, d.model, "
    "d.firmware, d.prohibited, d.review, d.state, d.prior_state, d.state_since, d.replacement_model, "
    "d.target_date, d.removed_by, d.waiver_approver, d.waiver_reason, d.waiver_expiry, d.waiver_expired, "
    "d.reason, d.first_seen, d.last_seen, COALESCE(sc.key, ''), d.missed_scans, d.match_rule "
    "FROM devices d JOIN sites s ON s.id = d.site_id JOIN departments dp ON dp.id = s.department_id "
    "LEFT JOIN scans sc ON sc.id = d.last_scan_id ";

DeviceRecord ReadDevice(const SqlRow& r) {
  DeviceRecord d;
  d.id = ColInt(r, 0);
  d.site = Col(r, 1);
  d.department = Col(r, 2);
  d.mac = Col(r, 3);
  d.serial = Col(r, 4);
  d.ip = Col(r, 5);
  d.manufacturer = Col(r, 6);
  d.brand = Col(r, 7);
  d.device_type = Col(r, 8);
  d.model = Col(r, 9);
  d.firmware = Col(r, 10);
  d.prohibited = SplitList(Col(r, 11));
  d.review = SplitList(Col(r, 12));
  d.state = StateOr(Col(r, 13), DeviceState::kFound);
  if (!Col(r, 14).empty()) d.prior_state = StateOr(Col(r, 14), DeviceState::kFound);
  d.state_since = Col(r, 15);
  d.replacement_model = Col(r, 16);
  d.target_date = Col(r, 17);
  d.removed_by = Col(r, 18);
  d.waiver_approver = Col(r, 19);
  d.waiver_reason = Col(r, 20);
  d.waiver_expiry = Col(r, 21);
  d.waiver_expired = ColInt(r, 22) != 0;
  d.reason = Col(r, 23);
  d.first_seen = Col(r, 24);
  d.last_seen = Col(r, 25);
  d.last_scan = Col(r, 26);
  d.missed_scans = ColInt(r, 27);
  d.match_rule = Col(r, 28);
  if (!d.prohibited.empty()) {
    d.status = "covered";
  } else if (!d.review.empty()) {
    d.status = "review";
  } else if (d.manufacturer.empty()) {
    d.status = "unknown";
  } else {
    d.status = "clear";
  }
  return d;
}

// The lifecycle part of a device, as recorded in the audit log (before/after), with the identity
// keys so `rebuild` can find the device again.
std::string Snapshot(const DeviceRecord& d) {
  json j = {{"id", d.id},
            {"site", d.site},
            {"mac", d.mac},
            {"serial", d.serial},
            {"ip", d.ip},
            {"manufacturer", d.manufacturer},
            {"model", d.model},
            {"state", DeviceStateName(d.state)},
            {"prior_state", d.prior_state ? DeviceStateName(*d.prior_state) : ""},
            {"replacement_model", d.replacement_model},
            {"target_date", d.target_date},
            {"removed_by", d.removed_by},
            {"waiver_approver", d.waiver_approver},
            {"waiver_reason", d.waiver_reason},
            {"waiver_expiry", d.waiver_expiry},
            {"waiver_expired", d.waiver_expired},
            {"reason", d.reason}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool NeedsAttention(const DeviceRecord& d) { return d.status != "clear"; }

struct SiteRow {
  int64_t id = 0;
  std::string key, department;
  std::vector<Cidr> scopes;
  std::map<std::string, std::string> deadlines;
};

class SqlInventory;

// IdentityLookup over the devices table of one site, one query per call (Rebuild uses it to
// find the device a recorded decision was about; the ingest resolves from a BatchLookup).
class SqlIdentityLookup final : public IdentityLookup {
 public:
  SqlIdentityLookup(Store& store, int64_t site_id) : store_(store), site_id_(site_id) {}

  std::optional<IdentityCandidate> ByMac(const std::string& mac) override {
    SqlValue p[] = {I(site_id_), T(mac)};
    return One(
        "SELECT id, mac, serial, ip, manufacturer, model, last_scan_id FROM devices "
        "WHERE site_id = $1 AND mac = $2 AND mac <> '' ORDER BY id LIMIT 1",
        p);
  }
  std::optional<IdentityCandidate> BySerial(const std::string& maker, const std::string& serial) override {
    SqlValue p[] = {I(site_id_), T(serial), T(maker)};
    return One(
        "SELECT id, mac, serial, ip, manufacturer, model, last_scan_id FROM devices "
        "WHERE site_id = $1 AND serial = $2 AND serial <> '' AND manufacturer = $3 ORDER BY id LIMIT 1",
        p);
  }
  std::optional<IdentityCandidate> ByAddressMakerModel(const std::string& ip, const std::string& maker,
                                                       const std::string& model) override {
    SqlValue p[] = {I(site_id_), T(ip), T(maker), T(model)};
    return One(
        "SELECT id, mac, serial, ip, manufacturer, model, last_scan_id FROM devices "
        "WHERE site_id = $1 AND ip = $2 AND manufacturer = $3 AND model = $4 ORDER BY id DESC LIMIT 1",
        p);
  }
  Status status() const { return status_; }

 private:
  std::optional<IdentityCandidate> One(std::string_view sql, std::span<const SqlValue> p) {
    auto rows = store_.Query(sql, p);
    if (!rows) {
      status_ = rows.error();
      return std::nullopt;
    }
    if (rows->empty()) return std::nullopt;
    const SqlRow& r = rows->front();
    return IdentityCandidate{ColInt(r, 0), Col(r, 1), Col(r, 2), Col(r, 3), Col(r, 4), Col(r, 5), ColInt(r, 6)};
  }
  Store& store_;
  int64_t site_id_;
  Status status_;
};

// Runs one multi-row statement per chunk of rows: `head`, then the rows (each `row` with its
// '?' replaced by the next $N), then `tail`. Chunks hold at most kMaxRowsPerStatement rows and
// are powers of two, so only a few statement texts get prepared whatever the batch size.
// Result rows (RETURNING) are appended to *out when given.
constexpr size_t kMaxRowsPerStatement = 128;
Status ExecRows(Store& store, std::string_view head, std::string_view row, size_t columns, std::string_view tail,
                std::span<const SqlValue> values, SqlRows* out = nullptr) {
  size_t rows = columns == 0 ? 0 : values.size() / columns;
  size_t done = 0;
  while (done < rows) {
    size_t chunk = kMaxRowsPerStatement;
    while (chunk > rows - done) chunk /= 2;
    std::string sql(head);
    size_t n = 0;
    for (size_t i = 0; i < chunk; ++i) {
      if (i) sql += ", ";
      for (char c : row) {
        if (c == '?') {
          sql += '$';
          sql += std::to_string(++n);
        } else {
          sql += c;
        }
      }
    }
    sql += tail;
    auto r = store.Query(sql, values.subspan(done * columns, chunk * columns));
    if (!r) return r.error();
    if (out != nullptr) {
      for (auto& one : *r) out->push_back(std::move(one));
    }
    done += chunk;
  }
  return Status::Ok();
}

// Hands out ids of `table` (devices, events) for rows an ingest inserts in batches, so a
// record knows its device id before the row is written. SQLite: MAX(id) + 1 onwards (what
// SQLite itself would choose; the ingest holds the write lock for its whole transaction and is
// the only inserter meanwhile). PostgreSQL: values of the table's sequence, reserved 128 per
// round trip (ids reserved and not used leave a gap, as sequences do anyway).
class IdAllocator {
 public:
  IdAllocator(Store& store, std::string table) : store_(store), table_(std::move(table)) {}
  Result<int64_t> Next() {
    if (store_.dialect() == Dialect::kSqlite) {
      if (next_ == 0) {
        auto r = store_.Query("SELECT COALESCE(MAX(id), 0) FROM " + table_);
        if (!r) return r.error();
        next_ = ColInt(r->front(), 0) + 1;
      }
      return next_++;
    }
    if (pool_pos_ == pool_.size()) {
      auto r = store_.Query("SELECT nextval(pg_get_serial_sequence('" + table_ +
                            "', 'id')) FROM generate_series(1, 128)");
      if (!r) return r.error();
      pool_.clear();
      pool_pos_ = 0;
      for (const auto& row : *r) pool_.push_back(ColInt(row, 0));
      std::sort(pool_.begin(), pool_.end());
      if (pool_.empty()) return MakeError(ErrorCode::kInternal, "no ids from the sequence of " + table_);
    }
    return pool_[pool_pos_++];
  }

 private:
  Store& store_;
  std::string table_;
  int64_t next_ = 0;
  std::vector<int64_t> pool_;
  size_t pool_pos_ = 0;
};

class SqlInventory final : public Inventory {
 public:
  SqlInventory(std::unique_ptr<Store> store, InventoryOptions options)
      : store_(std::move(store)), options_(std::move(options)) {}

  Store& store() override { return *store_; }
  std::string Now() override { return options_.clock ? options_.clock() : SystemNow(); }
  std::string Today() { return Now().substr(0, 10); }
  const InventoryOptions& options() const { return options_; }

  // ---- audit and events (inside an open transaction) ----

  Status AppendAudit(AuditEntry e) {
    auto last = store_->Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!last) return last.error();
    e.seq = last->empty() ? 1 : ColInt(last->front(), 0) + 1;
    e.prev_hash = last->empty() ? std::string(kGenesisHash) : Col(last->front(), 1);
    if (e.at.empty()) e.at = Now();
    e.hash = EntryHash(e);
    SqlValue p[] = {I(e.seq),       T(e.at),     T(e.actor),     T(e.action),     I(e.device_id), I(e.scan_id),
                    T(e.before),    T(e.after),  T(e.note),      T(e.prev_hash),  T(e.hash)};
    return store_->Exec(
        "INSERT INTO audit_log (seq, at, actor, action, device_id, scan_id, before, after, note, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        p);
  }

  // Records `e` unless an event with `dedup_key` exists; appends it to `out` when new.
  Status AddEvent(Event e, const std::string& dedup_key, std::vector<Event>* out) {
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

  // Writes the lifecycle columns of `after` and an audit entry from `before`.
  Status WriteLifecycle(const DeviceRecord& before, const DeviceRecord& after, const std::string& actor,
                        const std::string& action, const std::string& note, int64_t scan_id, bool audit = true) {
    SqlValue p[] = {I(after.id),
                    T(DeviceStateName(after.state)),
                    T(after.prior_state ? DeviceStateName(*after.prior_state) : ""),
                    T(after.state_since),
                    T(after.replacement_model),
                    T(after.target_date),
                    T(after.removed_by),
                    T(after.waiver_approver),
                    T(after.waiver_reason),
                    T(after.waiver_expiry),
                    I(after.waiver_expired ? 1 : 0),
                    T(after.reason),
                    I(after.missed_scans)};
    PO_TRY(store_->Exec(
        "UPDATE devices SET state = $2, prior_state = $3, state_since = $4, replacement_model = $5, "
        "target_date = $6, removed_by = $7, waiver_approver = $8, waiver_reason = $9, waiver_expiry = $10, "
        "waiver_expired = $11, reason = $12, missed_scans = $13 WHERE id = $1",
        p));
    if (!audit) return Status::Ok();
    AuditEntry e;
    e.actor = actor;
    e.action = action;
    e.device_id = after.id;
    e.scan_id = scan_id;
    e.before = Snapshot(before);
    e.after = Snapshot(after);
    e.note = note;
    return AppendAudit(std::move(e));
  }

  Result<DeviceRecord> LoadDevice(int64_t id) {
    SqlValue p[] = {I(id)};
    auto rows = store_->Query(std::string(kDeviceSelect) + "WHERE d.id = $1", p);
    if (!rows) return rows.error();
    if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no device with id " + std::to_string(id));
    return ReadDevice(rows->front());
  }

  Result<SiteRow> LoadSite(const std::string& key) {
    SqlValue p[] = {T(key)};
    auto rows = store_->Query(
        "SELECT s.id, s.key, dp.key, s.scopes FROM sites s JOIN departments dp ON dp.id = s.department_id "
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
    SqlValue q[] = {I(s.id)};
    auto dl = store_->Query("SELECT policy, deadline FROM site_deadlines WHERE site_id = $1", q);
    if (!dl) return dl.error();
    for (const auto& r : *dl) s.deadlines[Col(r, 0)] = Col(r, 1);
    return s;
  }

  // ---- organisation ----

  Status ImportSites(const SitesFile& file, const std::string& actor, const std::string& note) override {
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
      e.after = after.dump(-1, ' ', false, json::error_handler_t::replace);
      e.note = note.empty() ? "sites file imported" : note;
      return AppendAudit(std::move(e));
    });
  }

  Result<std::vector<Department>> ListDepartments() override {
    auto rows = store_->Query("SELECT key, name, owner FROM departments ORDER BY key");
    if (!rows) return rows.error();
    std::vector<Department> out;
    for (const auto& r : *rows) out.push_back({Col(r, 0), Col(r, 1), Col(r, 2)});
    return out;
  }

  Result<std::vector<Site>> ListSites() override {
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

  Result<Site> GetSite(const std::string& id) override {
    auto all = ListSites();
    if (!all) return all.error();
    for (auto& s : *all) {
      if (s.id == id) return s;
    }
    return MakeError(ErrorCode::kNotFound, "no site '" + id + "'");
  }

  // ---- ingest ----

  Result<std::unique_ptr<ScanIngest>> BeginIngest(const ScanMeta& meta) override;

  Result<std::vector<ScanListing>> ListScans(const std::string& site) override {
    SqlValue p[] = {T(site)};
    auto rows = store_->Query(
        "SELECT sc.key, s.key, sc.agent, sc.started_at, sc.rules_version, sc.source, sc.scope, sc.records, "
        "sc.complete FROM scans sc JOIN sites s ON s.id = sc.site_id WHERE ($1 = '' OR s.key = $1) "
        "ORDER BY sc.started_at, sc.id",
        p);
    if (!rows) return rows.error();
    std::vector<ScanListing> out;
    for (const auto& r : *rows) {
      out.push_back({Col(r, 0), Col(r, 1), Col(r, 2), Col(r, 3), Col(r, 4), Col(r, 5), Col(r, 6), ColInt(r, 7),
                     ColInt(r, 8) != 0});
    }
    return out;
  }

  // ---- devices ----

  void Derive(DeviceRecord& d, const std::map<std::string, std::map<std::string, std::string>>& deadlines,
              const std::string& today) {
    d.overdue = false;
    d.overdue_reason.clear();
    bool open = IsOpenState(d.state);
    if (d.state == DeviceState::kWaived && !d.waiver_expiry.empty() && d.waiver_expiry < today) {
      d.overdue = true;
      d.overdue_reason = "waiver expired " + d.waiver_expiry;
      return;
    }
    if (!open || d.state == DeviceState::kWaived) return;
    if (d.waiver_expired) {
      d.overdue = true;
      d.overdue_reason = "waiver expired " + d.waiver_expiry;
      return;
    }
    if (d.state == DeviceState::kReplacementPlanned && !d.target_date.empty() && d.target_date < today) {
      d.overdue = true;
      d.overdue_reason = "replacement target " + d.target_date + " passed";
      return;
    }
    auto site = deadlines.find(d.site);
    if (site == deadlines.end()) return;
    for (const auto& policy : d.prohibited) {
      auto dl = site->second.find(policy);
      if (dl != site->second.end() && dl->second < today) {
        d.overdue = true;
        d.overdue_reason = policy + " deadline " + dl->second + " passed";
        return;
      }
    }
  }

  Result<std::map<std::string, std::map<std::string, std::string>>> AllDeadlines() {
    auto dl = store_->Query("SELECT s.key, d.policy, d.deadline FROM site_deadlines d JOIN sites s ON s.id = d.site_id");
    if (!dl) return dl.error();
    std::map<std::string, std::map<std::string, std::string>> out;
    for (const auto& r : *dl) out[Col(r, 0)][Col(r, 1)] = Col(r, 2);
    return out;
  }

  Result<std::vector<DeviceRecord>> ListDevices(const DeviceFilter& f) override {
    DeviceFilter all = f;
    all.offset = 0;
    all.limit = 0;
    auto page = ListDevicePage(all);
    if (!page) return page.error();
    return std::move(page->devices);
  }

  // Every filter of ListDevices is applied in SQL (so a page of a large inventory reads only
  // its rows): status and overdue are the SQL forms of ReadDevice's status and Derive's
  // overdue, which stay the reference (store_test compares both).
  Result<DevicePage> ListDevicePage(const DeviceFilter& f) override {
    if (f.offset < 0 || f.limit < 0) return MakeError(ErrorCode::kInvalidArgument, "offset and limit must be >= 0");
    if (!f.state.empty()) {
      if (auto s = ParseDeviceState(f.state); !s) return s.error();
    }
    if (!f.status.empty() && f.status != "covered" && f.status != "review" && f.status != "unknown" &&
        f.status != "clear") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown status '" + f.status + "' (covered, review, unknown, clear)");
    }
    DevicePage page;
    if (f.only_sites && f.only_sites->empty()) return page;  // an empty scope matches nothing
    std::string today = Today();
    std::vector<SqlValue> params;
    auto param = [&params](SqlValue v) {
      params.push_back(std::move(v));
      return "$" + std::to_string(params.size());
    };
    std::string where = "WHERE 1 = 1";
    if (!f.site.empty()) where += " AND s.key = " + param(T(f.site));
    if (!f.department.empty()) where += " AND dp.key = " + param(T(f.department));
    if (!f.state.empty()) where += " AND d.state = " + param(T(f.state));
    if (!f.maker.empty()) where += " AND d.manufacturer = " + param(T(f.maker));
    if (!f.brand.empty()) where += " AND d.brand = " + param(T(f.brand));
    if (!f.policy.empty()) {
      where += " AND (',' || d.prohibited || ',' || d.review || ',') LIKE ('%,' || " + param(T(f.policy)) + " || ',%')";
    }
    if (f.status == "covered") where += " AND d.prohibited <> ''";
    if (f.status == "review") where += " AND d.prohibited = '' AND d.review <> ''";
    if (f.status == "unknown") where += " AND d.prohibited = '' AND d.review = '' AND d.manufacturer = ''";
    if (f.status == "clear") where += " AND d.prohibited = '' AND d.review = '' AND d.manufacturer <> ''";
    if (f.only_sites) {
      std::string list;
      for (const auto& site : *f.only_sites) list += (list.empty() ? "" : ", ") + param(T(site));
      where += " AND s.key IN (" + list + ")";
    }
    if (!f.text.empty()) {
      std::string pattern = "%";
      for (char c : f.text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      pattern += "%";
      std::string p = param(T(pattern));
      // SQLite's LIKE ignores ASCII case already; PostgreSQL's ILIKE does the same.
      const char* like = store_->dialect() == Dialect::kSqlite ? " LIKE " : " ILIKE ";
      where += " AND (";
      const char* cols[] = {"d.ip", "d.mac", "d.serial", "d.manufacturer", "d.brand", "d.model"};
      for (size_t i = 0; i < 6; ++i) {
        where += std::string(i ? " OR " : "") + cols[i] + like + p + " ESCAPE '\\'";
      }
      where += ")";
    }
    if (f.overdue_only) {
      std::string t = param(T(today));
      where += " AND ((d.state = 'waived' AND d.waiver_expiry <> '' AND d.waiver_expiry < " + t +
               ") OR (d.state IN ('found', 'confirmed', 'replacement-planned', 'missing') AND (d.waiver_expired <> 0 "
               "OR (d.state = 'replacement-planned' AND d.target_date <> '' AND d.target_date < " + t +
               ") OR (d.prohibited <> '' AND EXISTS (SELECT 1 FROM site_deadlines sd WHERE sd.site_id = d.site_id AND sd.deadline < " + t +
               " AND (',' || d.prohibited || ',') LIKE ('%,' || sd.policy || ',%'))))))";
    }
    std::string sql = std::string(kDeviceSelect) + where + " ORDER BY s.key, d.id";
    if (f.limit > 0) sql += " LIMIT " + param(I(f.limit)) + " OFFSET " + param(I(f.offset));
    auto rows = store_->Query(sql, params);
    if (!rows) return rows.error();
    if (f.limit > 0) {
      params.resize(params.size() - 2);
      // The joins are needed only to filter by site or department key.
      bool joins = !f.site.empty() || !f.department.empty() || f.only_sites.has_value();
      auto n = store_->Query(std::string("SELECT COUNT(*) FROM devices d ") +
                                 (joins ? "JOIN sites s ON s.id = d.site_id JOIN departments dp ON dp.id = "
                                          "s.department_id "
                                        : "") +
                                 where,
                             params);
      if (!n) return n.error();
      page.total = ColInt(n->front(), 0);
    }
    auto deadlines = AllDeadlines();
    if (!deadlines) return deadlines.error();
    for (size_t i = f.limit > 0 ? 0 : static_cast<size_t>(std::min<int64_t>(f.offset, rows->size()));
         i < rows->size(); ++i) {
      DeviceRecord d = ReadDevice((*rows)[i]);
      Derive(d, *deadlines, today);
      page.devices.push_back(std::move(d));
    }
    if (f.limit == 0) page.total = static_cast<int64_t>(rows->size());
    return page;
  }

  Result<std::string> LastRecord(int64_t id) override {
    SqlValue p[] = {I(id)};
    auto rows = store_->Query(
        "SELECT d.id, r.record FROM devices d LEFT JOIN scan_records r ON r.scan_id = d.last_scan_id AND "
        "r.seq = d.last_seq WHERE d.id = $1",
        p);
    if (!rows) return rows.error();
    if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no device with id " + std::to_string(id));
    return Col(rows->front(), 1);
  }

  Result<DeviceRecord> GetDevice(int64_t id) override {
    auto d = LoadDevice(id);
    if (!d) return d;
    auto deadlines = AllDeadlines();
    if (!deadlines) return deadlines.error();
    Derive(*d, *deadlines, Today());
    return d;
  }

  Result<DeviceRecord> SetState(int64_t id, const TransitionRequest& req) override {
    DeviceRecord result;
    std::string today = Today();
    Status s = InTransaction(*store_, [&]() -> Status {
      auto loaded = LoadDevice(id);
      if (!loaded) return loaded.error();
      DeviceRecord before = *loaded;
      if (Status v = ValidateTransition(before.state, req, today); !v.ok()) {
        return MakeError(v.error().code, "device " + std::to_string(id) + ": " + v.error().message);
      }
      DeviceRecord after = before;
      after.state = req.to;
      after.state_since = Now();
      after.missed_scans = 0;
      switch (req.to) {
        case DeviceState::kReplacementPlanned:
          after.replacement_model = req.replacement_model;
          after.target_date = req.target_date;
          break;
        case DeviceState::kRemoved: after.removed_by = req.removed_by.empty() ? req.actor : req.removed_by; break;
        case DeviceState::kWaived:
          if (before.state != DeviceState::kWaived) after.prior_state = before.state;
          after.waiver_approver = req.approver;
          after.waiver_reason = req.reason;
          after.waiver_expiry = req.expiry;
          after.waiver_expired = false;
          break;
        case DeviceState::kNotRestricted: after.reason = req.reason; break;
        default: break;
      }
      if (req.to != DeviceState::kWaived) {
        after.prior_state.reset();
        after.waiver_expired = false;
      }
      PO_TRY(WriteLifecycle(before, after, req.actor, req.to == DeviceState::kWaived ? "waive" : "set-state",
                            req.note, 0));
      result = after;
      return Status::Ok();
    });
    if (!s.ok()) return s.error();
    return GetDevice(id);
  }

  // Waiver expiry and passed deadlines. REQUIRES: inside a transaction.
  Status CheckDeadlinesTx(const std::string& today, std::vector<Event>* out) {
    SqlValue p[] = {T(today)};
    auto rows = store_->Query(std::string(kDeviceSelect) +
                                  "WHERE d.state = 'waived' AND d.waiver_expiry <> '' AND d.waiver_expiry < $1",
                              p);
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      DeviceRecord before = ReadDevice(r);
      DeviceRecord after = before;
      after.state = before.prior_state.value_or(DeviceState::kFound);
      if (after.state == DeviceState::kWaived) after.state = DeviceState::kFound;
      after.prior_state.reset();
      after.waiver_expired = true;
      after.state_since = Now();
      PO_TRY(WriteLifecycle(before, after, "phaseout", "waiver-expired",
                            "waiver by " + before.waiver_approver + " expired on " + before.waiver_expiry, 0));
      Event e;
      e.kind = "waiver-expired";
      e.severity = "warning";
      e.site = before.site;
      e.device_id = before.id;
      e.message = "device " + std::to_string(before.id) + " (" + before.ip + ", " +
                  (before.manufacturer.empty() ? "unknown maker" : before.manufacturer) + ") waiver expired on " +
                  before.waiver_expiry + "; back to " + DeviceStateName(after.state) + " and overdue";
      PO_TRY(AddEvent(e, "waiver-expired:" + std::to_string(before.id) + ":" + before.waiver_expiry, out));
    }
    auto dl = store_->Query(
        "SELECT s.key, d.policy, d.deadline, s.id FROM site_deadlines d JOIN sites s ON s.id = d.site_id "
        "WHERE d.deadline < $1",
        p);
    if (!dl) return dl.error();
    for (const auto& r : *dl) {
      SqlValue q[] = {ColInt(r, 3), T(Col(r, 1))};
      auto n = store_->Query(
          "SELECT COUNT(*) FROM devices WHERE site_id = $1 AND state IN ('found', 'confirmed', "
          "'replacement-planned', 'missing') AND (',' || prohibited || ',') LIKE ('%,' || $2 || ',%')",
          q);
      if (!n) return n.error();
      int64_t count = ColInt(n->front(), 0);
      if (count == 0) continue;
      Event e;
      e.kind = "deadline-passed";
      e.severity = "warning";
      e.site = Col(r, 0);
      e.message = "site " + Col(r, 0) + ": " + Col(r, 1) + " deadline " + Col(r, 2) + " passed with " +
                  std::to_string(count) + " covered device(s) not removed";
      PO_TRY(AddEvent(e, "deadline:" + Col(r, 0) + ":" + Col(r, 1) + ":" + Col(r, 2), out));
    }
    return Status::Ok();
  }

  Result<std::vector<Event>> CheckDeadlines() override {
    std::vector<Event> out;
    std::string today = Today();
    Status s = InTransaction(*store_, [&]() { return CheckDeadlinesTx(today, &out); });
    if (!s.ok()) return s.error();
    return out;
  }

  Result<std::vector<MergeReview>> ListReviews(bool open_only) override {
    SqlValue p[] = {I(open_only ? 1 : 0)};
    auto rows = store_->Query(
        "SELECT m.id, s.key, m.device_a, m.device_b, m.reason, m.scan, m.status FROM merge_reviews m "
        "JOIN sites s ON s.id = m.site_id WHERE ($1 = 0 OR m.status = 'open') ORDER BY m.id",
        p);
    if (!rows) return rows.error();
    std::vector<MergeReview> out;
    for (const auto& r : *rows) {
      out.push_back({ColInt(r, 0), Col(r, 1), ColInt(r, 2), ColInt(r, 3), Col(r, 4), Col(r, 5), Col(r, 6)});
    }
    return out;
  }

  // Folds device b into device a (an accepted merge review): a takes b's identity keys (empty
  // keys keep a's) and b's last sighting when that is later; lifecycle and history stay a's;
  // b's raw records and reviews move to a and b's row goes. REQUIRES: inside a transaction.
  Status MergeDevices(const DeviceRecord& a, const DeviceRecord& b) {
    SqlValue p[] = {I(a.id), I(b.id)};
    PO_TRY(store_->Exec(
        "UPDATE devices SET "
        "mac = CASE WHEN (SELECT mac FROM devices WHERE id = $2) <> '' THEN (SELECT mac FROM devices WHERE id = "
        "$2) ELSE mac END, "
        "serial = CASE WHEN (SELECT serial FROM devices WHERE id = $2) <> '' THEN (SELECT serial FROM devices "
        "WHERE id = $2) ELSE serial END, "
        "first_seen = CASE WHEN (SELECT first_seen FROM devices WHERE id = $2) < first_seen THEN (SELECT "
        "first_seen FROM devices WHERE id = $2) ELSE first_seen END "
        "WHERE id = $1",
        p));
    if (b.last_seen >= a.last_seen) {
      PO_TRY(store_->Exec(
          "UPDATE devices SET (ip, manufacturer, brand, device_type, model, firmware, prohibited, review, "
          "last_seen, last_scan_id, last_seq, missed_scans) = (SELECT ip, manufacturer, brand, device_type, "
          "model, firmware, prohibited, review, last_seen, last_scan_id, last_seq, missed_scans FROM devices "
          "WHERE id = $2) WHERE id = $1",
          p));
    }
    SqlValue a_only[] = {I(a.id)}, b_only[] = {I(b.id)};
    PO_TRY(store_->Exec("UPDATE devices SET match_rule = 'merge-review' WHERE id = $1", a_only));
    PO_TRY(store_->Exec("UPDATE scan_records SET device_id = $1 WHERE device_id = $2", p));
    // Other reviews about device_b are now about device_a; one about a and a is moot.
    PO_TRY(store_->Exec("UPDATE merge_reviews SET device_a = $1 WHERE device_a = $2", p));
    PO_TRY(store_->Exec("UPDATE merge_reviews SET device_b = $1 WHERE device_b = $2", p));
    PO_TRY(store_->Exec("UPDATE merge_reviews SET status = 'moot' WHERE device_a = device_b AND status = 'open'"));
    return store_->Exec("DELETE FROM devices WHERE id = $1", b_only);
  }

  Result<MergeReview> DecideReview(int64_t review_id, bool accept, const std::string& actor,
                                   const std::string& note) override {
    if (actor.empty()) return MakeError(ErrorCode::kInvalidArgument, "an actor is required (--actor NAME)");
    if (note.empty()) return MakeError(ErrorCode::kInvalidArgument, "a note is required (--note TEXT)");
    MergeReview decided;
    Status st = InTransaction(*store_, [&]() -> Status {
      SqlValue k[] = {I(review_id)};
      auto rows = store_->Query(
          "SELECT m.id, s.key, m.device_a, m.device_b, m.reason, m.scan, m.status FROM merge_reviews m "
          "JOIN sites s ON s.id = m.site_id WHERE m.id = $1",
          k);
      if (!rows) return rows.error();
      if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no merge review " + std::to_string(review_id));
      const SqlRow& r = rows->front();
      decided = {ColInt(r, 0), Col(r, 1), ColInt(r, 2), ColInt(r, 3), Col(r, 4), Col(r, 5), Col(r, 6)};
      if (decided.status != "open") {
        return MakeError(ErrorCode::kInvalidArgument, "merge review " + std::to_string(review_id) +
                                                          " was already decided (" + decided.status + ")");
      }
      decided.status = accept ? "accepted" : "rejected";
      json about = {{"review", decided.id}, {"site", decided.site},     {"device_a", decided.device_a},
                    {"device_b", decided.device_b}, {"reason", decided.reason}, {"decision", decided.status}};
      AuditEntry e;
      e.actor = actor;
      e.action = accept ? "merge-accepted" : "merge-rejected";
      e.device_id = decided.device_a;
      e.note = note;
      auto a = LoadDevice(decided.device_a);
      if (!a) return a.error();
      auto b = LoadDevice(decided.device_b);
      if (!b) return b.error();
      // Both devices as they were, so `rebuild` can find them again and redo the decision.
      about["device_a_was"] = json::parse(Snapshot(*a));
      about["device_b_was"] = json::parse(Snapshot(*b));
      if (accept) {
        e.before = Snapshot(*a);
        PO_TRY(MergeDevices(*a, *b));
        auto merged = LoadDevice(a->id);
        if (!merged) return merged.error();
        json after = json::parse(Snapshot(*merged));
        after["merge"] = about;
        e.after = after.dump(-1, ' ', false, json::error_handler_t::replace);
      } else {
        e.after = json({{"merge", about}}).dump(-1, ' ', false, json::error_handler_t::replace);
      }
      SqlValue q[] = {I(decided.id), T(decided.status)};
      PO_TRY(store_->Exec("UPDATE merge_reviews SET status = $2 WHERE id = $1", q));
      return AppendAudit(std::move(e));
    });
    if (!st.ok()) return st.error();
    return decided;
  }

  // ---- history ----

  static AuditEntry ReadAudit(const SqlRow& r) {
    AuditEntry e;
    e.seq = ColInt(r, 0);
    e.at = Col(r, 1);
    e.actor = Col(r, 2);
    e.action = Col(r, 3);
    e.device_id = ColInt(r, 4);
    e.scan_id = ColInt(r, 5);
    e.before = Col(r, 6);
    e.after = Col(r, 7);
    e.note = Col(r, 8);
    e.prev_hash = Col(r, 9);
    e.hash = Col(r, 10);
    return e;
  }
  static constexpr const char* kAuditSelect =
      "SELECT seq, at, actor, action, device_id, scan_id, before, after, note, prev_hash, hash FROM audit_log ";

  Result<std::vector<AuditEntry>> History(int64_t device_id) override {
    SqlValue p[] = {I(device_id)};
    auto rows = store_->Query(std::string(kAuditSelect) + "WHERE device_id = $1 ORDER BY seq", p);
    if (!rows) return rows.error();
    std::vector<AuditEntry> out;
    for (const auto& r : *rows) out.push_back(ReadAudit(r));
    return out;
  }

  Result<AuditVerification> VerifyAudit() override {
    AuditVerification v;
    std::string prev(kGenesisHash);
    int64_t expected = 1;
    int64_t after = 0;
    // Page through the log so memory stays bounded on long histories.
    while (true) {
      SqlValue p[] = {I(after)};
      auto rows = store_->Query(std::string(kAuditSelect) + "WHERE seq > $1 ORDER BY seq LIMIT 5000", p);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        AuditEntry e = ReadAudit(r);
        after = e.seq;
        ++v.entries;
        std::string problem;
        if (e.seq != expected) {
          problem = "entry " + std::to_string(expected) + (e.seq > expected ? " is missing (deleted)" : " is duplicated");
        } else if (e.prev_hash != prev) {
          problem = "entry " + std::to_string(e.seq) + " does not follow entry " + std::to_string(e.seq - 1) +
                    " (previous hash differs: an entry before it was changed or removed)";
        } else if (EntryHash(e) != e.hash) {
          problem = "entry " + std::to_string(e.seq) + " was changed after it was written (hash mismatch)";
        }
        if (!problem.empty() && v.ok) {
          v.ok = false;
          v.first_bad_seq = e.seq != expected ? expected : e.seq;
          v.problem = problem;
        }
        prev = e.hash;
        expected = e.seq + 1;
        v.head_hash = e.hash;
      }
    }
    if (v.ok) {
      // Scans whose raw records no longer match what the ingest entry recorded.
      auto scans = store_->Query(std::string(kAuditSelect) + "WHERE action = 'ingest' ORDER BY seq");
      if (!scans) return scans.error();
      for (const auto& r : *scans) {
        AuditEntry e = ReadAudit(r);
        json a = json::parse(e.after, nullptr, false);
        if (!a.is_object() || !a.contains("records_sha256") || !a.contains("records")) continue;
        Sha256Stream h;
        int64_t count = 0;
        int64_t after_seq = 0;
        while (true) {
          SqlValue q[] = {I(e.scan_id), I(after_seq)};
          auto recs = store_->Query(
              "SELECT seq, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
          if (!recs) return recs.error();
          if (recs->empty()) break;
          for (const auto& rec : *recs) {
            after_seq = ColInt(rec, 0);
            h.Update(Col(rec, 1));
            h.Update("\n");
            ++count;
          }
        }
        if (count != a["records"].get<int64_t>() || h.HexDigest() != a["records_sha256"].get<std::string>()) {
          v.ok = false;
          v.first_bad_seq = e.seq;
          v.problem = "raw records of scan " + a.value("scan", std::string()) +
                      " differ from what audit entry " + std::to_string(e.seq) + " recorded (" +
                      std::to_string(count) + " records now)";
          break;
        }
      }
    }
    return v;
  }

  Result<std::vector<Event>> Events(int64_t after_id) override {
    SqlValue p[] = {I(after_id)};
    auto rows = store_->Query(
        "SELECT id, at, kind, severity, site, device_id, scan, message FROM events WHERE id > $1 ORDER BY id", p);
    if (!rows) return rows.error();
    std::vector<Event> out;
    for (const auto& r : *rows) {
      out.push_back({ColInt(r, 0), Col(r, 1), Col(r, 2), Col(r, 3), Col(r, 4), ColInt(r, 5), Col(r, 6), Col(r, 7)});
    }
    return out;
  }

  Result<ScanDiff> Diff(const std::string& site, const std::string& from, const std::string& to) override;
  Result<RebuildSummary> Rebuild(const std::string& actor, const std::string& note) override;
  Result<int64_t> FindSnapshotDevice(int64_t site_id, const json& snap);
  Result<bool> RedoMergeDecision(bool accept, const json& before, const json& after);

  std::unique_ptr<Store> store_;
  InventoryOptions options_;
};

// ---- ingest ----

// An ingest in progress. Records are resolved and written a batch (kBatchRows records) at a
// time, so a batch costs a constant number of statements (one round trip each on PostgreSQL)
// instead of a few per record:
//   1. one query reads every stored device of the site that shares a MAC, serial or address
//      with a record of the batch (the only devices the identity rules can pick for them);
//   2. the records are resolved in order against those candidates in memory (BatchLookup
//      answers exactly what the per-record SQL lookups would, including the devices created or
//      changed earlier in the same batch);
//   3. new devices (ids handed out by IdAllocator), changed devices, events and raw records
//      are written as multi-row statements.
// A record that brings back a missing, removed or verified-removed device takes the old
// per-record path (pending writes flushed first): a lifecycle change with its audit entry.
// Everything stays inside the ingest's one transaction.
class SqlScanIngest final : public ScanIngest {
 public:
  SqlScanIngest(SqlInventory& inv, ScanMeta meta, SiteRow site, int64_t scan_id, bool already, bool resumed)
      : inv_(inv), store_(*inv.store_), meta_(std::move(meta)), site_(std::move(site)), scan_id_(scan_id),
        resumed_(resumed), device_ids_(store_, "devices"), event_ids_(store_, "events") {
    summary_.scan_key = meta_.scan_key;
    summary_.already_ingested = already;
  }
  ~SqlScanIngest() override {
    if (owns_transaction_ && !done_ && store_.in_transaction()) (void)store_.Rollback();
  }

  Status AddLine(std::string_view line, int64_t seq) override {
    if (summary_.already_ingested) return Status::Ok();
    // `phaseout scan` NDJSON also carries scan_start/scan_end records (docs/policies.md,
    // "Complete or not"): they are not devices. A scan_end saying the scan was incomplete keeps
    // the scan out of the verification pass.
    auto parsed = ParseScanLine(line);
    if (!parsed) return parsed.error();
    switch (parsed->kind) {
      case ScanLineKind::kDevice: return Add(std::move(parsed->record), line, seq);
      case ScanLineKind::kIncompleteEnd: MarkIncomplete(); return Status::Ok();
      case ScanLineKind::kOther: return Status::Ok();
    }
    return Status::Ok();
  }

  Status AddRecord(const ScanRecord& r, std::string_view raw, int64_t seq) override { return Add(r, raw, seq); }

  Status Add(ScanRecord r, std::string_view raw, int64_t seq) {
    if (summary_.already_ingested) return Status::Ok();
    if (done_) return MakeError(ErrorCode::kInternal, "ingest already committed");
    if (resumed_) {
      // A resumed scan skips the records a previous (committed) chunk stored, and repeats.
      bool pending = std::any_of(batch_.begin(), batch_.end(), [seq](const Pending& p) { return p.seq == seq; });
      SqlValue p[] = {I(scan_id_), I(seq)};
      auto e = store_.Query("SELECT 1 FROM scan_records WHERE scan_id = $1 AND seq = $2", p);
      if (!e) return e.error();
      if (pending || !e->empty()) {
        ++summary_.skipped_records;
        return Status::Ok();
      }
    }
    if (!replay_) {
      hash_.Update(raw);
      hash_.Update("\n");
    }
    batch_.push_back({std::move(r), replay_ ? std::string() : std::string(raw), seq, 0, {}});
    ++summary_.records;
    if (batch_.size() >= kBatchRows) return FlushBatch();
    return Status::Ok();
  }

  // Resolves, applies and writes the records of the batch (see the class comment).
  Status FlushBatch() {
    if (batch_.empty()) return Status::Ok();
    PO_TRY_S(LoadCandidates());
    for (Pending& p : batch_) PO_TRY_S(ApplyRecord(p));
    PO_TRY_S(FlushDevices());
    PO_TRY_S(FlushEvents());
    if (replay_) {
      std::vector<SqlValue> v;
      v.reserve(batch_.size() * 4);
      for (const Pending& p : batch_) {
        v.push_back(I(p.seq));
        v.push_back(I(p.device_id));
        v.push_back(T(p.rule));
        v.push_back(I(scan_id_));
      }
      PO_TRY_S(ExecRows(store_,
                        "UPDATE scan_records SET device_id = v.column2, match_rule = v.column3 FROM (VALUES ",
                        "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, CAST(? AS BIGINT))", 4,
                        ") AS v WHERE scan_records.scan_id = v.column4 AND scan_records.seq = v.column1", v));
    } else {
      std::vector<SqlValue> v;
      v.reserve(batch_.size() * 6);
      for (Pending& p : batch_) {
        v.push_back(I(scan_id_));
        v.push_back(I(p.seq));
        v.push_back(T(p.record.ip));
        v.push_back(I(p.device_id));
        v.push_back(T(p.rule));
        v.push_back(T(std::move(p.raw)));
      }
      PO_TRY_S(ExecRows(store_, "INSERT INTO scan_records (scan_id, seq, ip, device_id, match_rule, record) VALUES ",
                        "(?, ?, ?, ?, ?, ?)", 6, "", v));
    }
    batch_.clear();
    cands_.clear();
    return Status::Ok();
  }

  // The verification pass after a complete scan: removed devices unseen -> verified-removed,
  // open devices unseen -> missing (only for addresses the scan covered).
  // REQUIRES: the batch flushed.
  Status VerifyPass() {
    const std::vector<Cidr>& scope = meta_.scope.empty() ? site_.scopes : meta_.scope;
    int n_verify = inv_.options().verify_after_scans;
    int n_missing = inv_.options().missing_after_scans;
    // Paged by id so memory stays bounded on large sites.
    int64_t after_id = 0;
    std::vector<SqlValue> missed;  // devices that only count one more missed scan
    while (true) {
      SqlValue p[] = {I(site_.id), I(scan_id_), I(after_id)};
      auto rows = store_.Query(std::string(kDeviceSelect) +
                                   "WHERE d.site_id = $1 AND d.last_scan_id <> $2 AND d.id > $3 AND d.state IN "
                                   "('removed', 'found', 'confirmed', 'replacement-planned', 'waived') "
                                   "ORDER BY d.id LIMIT 2000",
                               p);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        after_id = ColInt(r, 0);
        DeviceRecord before = ReadDevice(r);
        if (!ScopeContains(scope, before.ip)) continue;
        DeviceRecord after = before;
        after.missed_scans = before.missed_scans + 1;
        bool attention = NeedsAttention(before);
        Event e;
        e.site = site_.key;
        e.device_id = before.id;
        e.scan = meta_.scan_key;
        std::string what = (before.manufacturer.empty() ? "unknown maker" : before.manufacturer) +
                           (before.model.empty() ? "" : " " + before.model) + ", last at " + before.ip;
        if (before.state == DeviceState::kRemoved && after.missed_scans >= n_verify) {
          after.state = DeviceState::kVerifiedRemoved;
          after.state_since = meta_.started_at;
          e.kind = "verified-removed";
          e.severity = "notice";
          e.message = "device " + std::to_string(before.id) + " (" + what + ") verified removed: not seen in " +
                      std::to_string(after.missed_scans) + " scans covering its address since removal was claimed" +
                      (before.removed_by.empty() ? "" : " by " + before.removed_by);
          ++summary_.verified_removed;
        } else if (before.state != DeviceState::kRemoved && attention && after.missed_scans >= n_missing) {
          after.prior_state = before.state;
          after.state = DeviceState::kMissing;
          after.state_since = meta_.started_at;
          e.kind = "missing";
          e.severity = "warning";
          e.message = "device " + std::to_string(before.id) + " (" + what + ") stopped answering (" +
                      std::to_string(after.missed_scans) +
                      " scans covering its address) without being marked removed";
          ++summary_.went_missing;
        } else {
          missed.push_back(I(before.id));
          continue;
        }
        PO_TRY_S(inv_.WriteLifecycle(before, after, "phaseout", e.kind, e.message, scan_id_, audit_));
        PO_TRY_S(Raise(e, e.kind + ":" + std::to_string(before.id) + ":" + meta_.scan_key));
      }
      // One statement per 128 devices for the plain "one more missed scan" case.
      PO_TRY_S(ExecRows(store_, "UPDATE devices SET missed_scans = missed_scans + 1 WHERE id IN (", "?", 1, ")",
                        missed));
      missed.clear();
      PO_TRY_S(FlushEvents());
    }
    return Status::Ok();
  }

  Status Finish() {
    PO_TRY_S(FlushBatch());
    if (meta_.complete) PO_TRY_S(VerifyPass());
    SqlValue p[] = {I(scan_id_), I(meta_.complete ? 1 : 0), I(summary_.records)};
    PO_TRY_S(store_.Exec("UPDATE scans SET complete = $2, records = records + $3 WHERE id = $1", p));
    if (audit_) {
      AuditEntry e;
      e.actor = meta_.agent.empty() ? "phaseout" : meta_.agent;
      e.action = "ingest";
      e.scan_id = scan_id_;
      json a = {{"scan", meta_.scan_key},
                {"site", site_.key},
                {"started_at", meta_.started_at},
                {"rules_version", meta_.rules_version},
                {"source", meta_.source},
                {"records", summary_.records},
                {"records_sha256", hash_.HexDigest()},
                {"new_devices", summary_.new_devices},
                {"complete", meta_.complete}};
      e.after = a.dump(-1, ' ', false, json::error_handler_t::replace);
      e.note = "scan ingested";
      // An ingest opened with ScanMeta.complete = false (one chunk of a scan pushed in parts)
      // or a later chunk: the stream digest covers this chunk only, so verify could not
      // recompute it from the whole scan; keep the count without the digest. The ingest that
      // finishes a chunked scan records the digest of all the scan's records instead.
      bool chunk = !meta_.complete && !marked_incomplete_;
      if (resumed_ && !chunk) {
        Sha256Stream all;
        int64_t count = 0, after_seq = 0;
        while (true) {
          SqlValue q[] = {I(scan_id_), I(after_seq)};
          auto recs = store_.Query(
              "SELECT seq, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
          if (!recs) return recs.error();
          if (recs->empty()) break;
          for (const auto& rec : *recs) {
            after_seq = ColInt(rec, 0);
            all.Update(Col(rec, 1));
            all.Update("\n");
            ++count;
          }
        }
        a["records"] = count;
        a["records_sha256"] = all.HexDigest();
        a["chunk_records"] = summary_.records;
        e.after = a.dump(-1, ' ', false, json::error_handler_t::replace);
      } else if (resumed_ || chunk) {
        a.erase("records_sha256");
        a.erase("records");
        a["chunk_records"] = summary_.records;
        e.after = a.dump(-1, ' ', false, json::error_handler_t::replace);
      }
      PO_TRY_S(inv_.AppendAudit(std::move(e)));
    }
    if (audit_) {
      std::vector<Event> raised;
      PO_TRY_S(inv_.CheckDeadlinesTx(
          meta_.started_at.substr(0, 10) < inv_.Today() ? inv_.Today() : meta_.started_at.substr(0, 10), &raised));
      for (Event& e : raised) Keep(std::move(e));
    }
    return Status::Ok();
  }

  void MarkIncomplete() override {
    meta_.complete = false;
    marked_incomplete_ = true;
  }

  Result<IngestSummary> Commit() override {
    if (summary_.already_ingested) {
      done_ = true;
      if (store_.in_transaction()) (void)store_.Rollback();
      return summary_;
    }
    Status s = Finish();
    if (s.ok()) s = store_.Commit();
    done_ = true;
    if (!s.ok()) {
      (void)store_.Rollback();
      return s.error();
    }
    return summary_;
  }

  // Replay inside Rebuild: no audit entries, the caller owns the transaction, and the raw
  // records are already stored (FlushBatch sets their device and rule instead of inserting).
  void set_replay() {
    audit_ = false;
    owns_transaction_ = false;
    replay_ = true;
  }
  const IngestSummary& summary() const { return summary_; }

 private:
  // A record of the batch and, once applied, its device and the rule that attached it.
  struct Pending {
    ScanRecord record;
    std::string raw;
    int64_t seq = 0;
    int64_t device_id = 0;
    std::string rule;
  };
  // A device the batch may touch, as stored plus the batch's changes so far.
  struct Candidate {
    int64_t id = 0;
    std::string mac, serial, ip, manufacturer, brand, device_type, model, firmware;
    std::string prohibited, review, state, prior_state, match_rule;
    int64_t last_scan_id = 0, last_seq = 0;
    bool is_new = false;   // created in this batch: to insert
    bool changed = false;  // stored and changed in this batch: to update
  };

  // Answers ResolveIdentity's lookups from the candidates exactly as the SQL lookups on the
  // devices table would (lowest id for MAC and serial, highest for address+maker+model).
  class BatchLookup final : public IdentityLookup {
   public:
    explicit BatchLookup(const std::map<int64_t, Candidate>& c) : c_(c) {}
    std::optional<IdentityCandidate> ByMac(const std::string& mac) override {
      for (const auto& [id, c] : c_) {
        if (!c.mac.empty() && c.mac == mac) return Out(c);
      }
      return std::nullopt;
    }
    std::optional<IdentityCandidate> BySerial(const std::string& maker, const std::string& serial) override {
      for (const auto& [id, c] : c_) {
        if (!c.serial.empty() && c.serial == serial && c.manufacturer == maker) return Out(c);
      }
      return std::nullopt;
    }
    std::optional<IdentityCandidate> ByAddressMakerModel(const std::string& ip, const std::string& maker,
                                                         const std::string& model) override {
      for (auto it = c_.rbegin(); it != c_.rend(); ++it) {
        const Candidate& c = it->second;
        if (c.ip == ip && c.manufacturer == maker && c.model == model) return Out(c);
      }
      return std::nullopt;
    }

   private:
    static IdentityCandidate Out(const Candidate& c) {
      return {c.id, c.mac, c.serial, c.ip, c.manufacturer, c.model, c.last_scan_id};
    }
    const std::map<int64_t, Candidate>& c_;
  };

  // Reads the stored devices of the site sharing a MAC, serial or address with the batch.
  Status LoadCandidates() {
    static const std::string kSql = [] {
      auto list = [](size_t first) {
        std::string s = "(";
        for (size_t i = 0; i < kBatchRows; ++i) s += (i ? ", $" : "$") + std::to_string(first + i);
        return s + ")";
      };
      const char* cols =
          "SELECT id, mac, serial, ip, manufacturer, brand, device_type, model, firmware, prohibited, review, state, "
          "prior_state, match_rule, last_scan_id, last_seq FROM devices WHERE site_id = $1 AND ";
      return std::string(cols) + "mac <> '' AND mac IN " + list(2) + " UNION " + cols + "serial <> '' AND serial IN " +
             list(2 + kBatchRows) + " UNION " + cols + "ip IN " + list(2 + 2 * kBatchRows);
    }();
    std::vector<SqlValue> p(1 + 3 * kBatchRows);  // unused slots stay NULL: they match nothing
    p[0] = I(site_.id);
    for (size_t i = 0; i < batch_.size(); ++i) {
      const ScanRecord& r = batch_[i].record;
      if (!r.mac.empty()) p[1 + i] = T(r.mac);
      if (!r.serial.empty()) p[1 + kBatchRows + i] = T(r.serial);
      p[1 + 2 * kBatchRows + i] = T(r.ip);
    }
    auto rows = store_.Query(kSql, p);
    if (!rows) return rows.error();
    cands_.clear();
    for (const auto& r : *rows) {
      Candidate c;
      c.id = ColInt(r, 0);
      c.mac = Col(r, 1);
      c.serial = Col(r, 2);
      c.ip = Col(r, 3);
      c.manufacturer = Col(r, 4);
      c.brand = Col(r, 5);
      c.device_type = Col(r, 6);
      c.model = Col(r, 7);
      c.firmware = Col(r, 8);
      c.prohibited = Col(r, 9);
      c.review = Col(r, 10);
      c.state = Col(r, 11);
      c.prior_state = Col(r, 12);
      c.match_rule = Col(r, 13);
      c.last_scan_id = ColInt(r, 14);
      c.last_seq = ColInt(r, 15);
      cands_.emplace(c.id, std::move(c));
    }
    return Status::Ok();
  }

  // Resolves and applies one record of the batch (in memory; FlushDevices writes it).
  Status ApplyRecord(Pending& p) {
    const ScanRecord& r = p.record;
    BatchLookup lookup(cands_);
    IdentityDecision d = ResolveIdentity(r, scan_id_, lookup);
    const std::string& at = meta_.started_at;
    p.rule = MatchRuleName(d.rule);
    if (d.device_id == 0) {
      auto id = device_ids_.Next();
      if (!id) return id.error();
      p.device_id = *id;
      Candidate c;
      c.id = *id;
      c.mac = r.mac;
      c.serial = r.serial;
      c.ip = r.ip;
      c.manufacturer = r.manufacturer;
      c.brand = r.brand;
      c.device_type = r.device_type;
      c.model = r.model;
      c.firmware = r.firmware;
      c.prohibited = JoinList(r.prohibited);
      c.review = JoinList(r.review);
      c.state = "found";
      c.match_rule = p.rule;
      c.last_scan_id = scan_id_;
      c.last_seq = p.seq;
      c.is_new = true;
      cands_.emplace(c.id, std::move(c));
      ++summary_.new_devices;
      if (!r.prohibited.empty()) {
        Event e;
        e.kind = "new-covered-device";
        e.severity = "warning";
        e.site = site_.key;
        e.device_id = p.device_id;
        e.scan = meta_.scan_key;
        e.message = "new covered device " + std::to_string(p.device_id) + " at " + r.ip + " (" +
                    (r.manufacturer.empty() ? "unknown maker" : r.manufacturer) +
                    (r.model.empty() ? "" : " " + r.model) + "), prohibited under " + JoinList(r.prohibited);
        PO_TRY_S(Raise(std::move(e), "new-covered:" + std::to_string(p.device_id)));
      }
      if (d.duplicate_in_scan) ++summary_.duplicates;
      if (d.review_device_id != 0) {
        SqlValue q[] = {I(site_.id), I(d.review_device_id), I(p.device_id), T(d.review_reason), T(meta_.scan_key)};
        PO_TRY_S(store_.Exec(
            "INSERT INTO merge_reviews (site_id, device_a, device_b, reason, scan) VALUES ($1, $2, $3, $4, $5)", q));
        ++summary_.reviews_opened;
        Event e;
        e.kind = "merge-review";
        e.severity = "notice";
        e.site = site_.key;
        e.device_id = p.device_id;
        e.scan = meta_.scan_key;
        e.message = "device " + std::to_string(p.device_id) + " may be device " +
                    std::to_string(d.review_device_id) + ": " + d.review_reason +
                    " (kept apart until someone decides)";
        PO_TRY_S(Raise(std::move(e), ""));
      }
      return Status::Ok();
    }
    p.device_id = d.device_id;
    ++summary_.matched_devices;
    auto it = cands_.find(d.device_id);
    if (it == cands_.end()) return MakeError(ErrorCode::kInternal, "identity resolved to a device not loaded");
    Candidate& c = it->second;
    // What the per-record UPDATE did: a known field replaces the stored one, an unknown one
    // keeps it; verdicts and the last sighting are the record's.
    auto keep_or = [](std::string& field, const std::string& v) {
      if (!v.empty()) field = v;
    };
    c.ip = r.ip;
    keep_or(c.mac, r.mac);
    keep_or(c.serial, r.serial);
    keep_or(c.manufacturer, r.manufacturer);
    keep_or(c.brand, r.brand);
    keep_or(c.device_type, r.device_type);
    keep_or(c.model, r.model);
    keep_or(c.firmware, r.firmware);
    c.prohibited = JoinList(r.prohibited);
    c.review = JoinList(r.review);
    c.last_scan_id = scan_id_;
    c.last_seq = p.seq;
    c.match_rule = p.rule;
    if (!c.is_new) c.changed = true;
    const std::string state = c.state;
    if (state != "missing" && state != "removed" && state != "verified-removed") return Status::Ok();
    // A device back from missing, removed or verified-removed: a lifecycle change, audited.
    PO_TRY_S(FlushDevices());
    auto loaded = inv_.LoadDevice(p.device_id);
    if (!loaded) return loaded.error();
    DeviceRecord before = *loaded;
    DeviceRecord after = before;
    after.state_since = at;
    Event e;
    e.site = site_.key;
    e.device_id = p.device_id;
    e.scan = meta_.scan_key;
    std::string what = (before.manufacturer.empty() ? "unknown maker" : before.manufacturer) +
                       (before.model.empty() ? "" : " " + before.model);
    if (state == "missing") {
      after.state = before.prior_state.value_or(DeviceState::kFound);
      after.prior_state.reset();
      e.kind = "reappeared";
      e.severity = "notice";
      e.message = "device " + std::to_string(p.device_id) + " (" + what + ") answered again at " + r.ip +
                  "; back to " + DeviceStateName(after.state);
      ++summary_.reappeared;
    } else {
      after.state = DeviceState::kConfirmed;
      after.prior_state.reset();
      e.kind = "regression";
      e.severity = "warning";
      e.message = "regression: device " + std::to_string(p.device_id) + " (" + what + "), " + state +
                  (before.removed_by.empty() ? "" : " (removal claimed by " + before.removed_by + ")") +
                  ", answered again at " + r.ip + " in scan " + meta_.scan_key;
      ++summary_.regressions;
    }
    PO_TRY_S(inv_.WriteLifecycle(before, after, "phaseout", e.kind, e.message, scan_id_, audit_));
    c.state = DeviceStateName(after.state);
    c.prior_state.clear();
    return Raise(e, e.kind + ":" + std::to_string(p.device_id) + ":" + meta_.scan_key);
  }

  // Writes the batch's new devices and changes to stored devices.
  Status FlushDevices() {
    const std::string& at = meta_.started_at;
    std::vector<SqlValue> ins, upd;
    for (auto& [id, c] : cands_) {
      if (c.is_new) {
        Push(ins, I(c.id), I(site_.id), T(c.mac), T(c.serial), T(c.ip), T(c.manufacturer), T(c.brand),
                           T(c.device_type), T(c.model), T(c.firmware), T(c.prohibited), T(c.review), T(at), T(at),
                           T(at), I(c.last_scan_id), T(c.match_rule), I(c.last_seq));
        c.is_new = false;
      } else if (c.changed) {
        Push(upd, I(c.id), T(c.ip), T(c.mac), T(c.serial), T(c.manufacturer), T(c.brand), T(c.device_type),
                           T(c.model), T(c.firmware), T(c.prohibited), T(c.review), T(at), I(c.last_scan_id),
                           T(c.match_rule), I(c.last_seq));
        c.changed = false;
      }
    }
    PO_TRY_S(ExecRows(store_,
                      "INSERT INTO devices (id, site_id, mac, serial, ip, manufacturer, brand, device_type, model, "
                      "firmware, prohibited, review, state, state_since, first_seen, last_seen, last_scan_id, "
                      "match_rule, last_seq) VALUES ",
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'found', ?, ?, ?, ?, ?, ?)", 18, "", ins));
    return ExecRows(store_,
                    "UPDATE devices SET ip = v.column2, mac = v.column3, serial = v.column4, "
                    "manufacturer = v.column5, brand = v.column6, device_type = v.column7, model = v.column8, "
                    "firmware = v.column9, prohibited = v.column10, review = v.column11, last_seen = v.column12, "
                    "last_scan_id = v.column13, missed_scans = 0, match_rule = v.column14, last_seq = v.column15 "
                    "FROM (VALUES ",
                    "(CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT))",
                    15, ") AS v WHERE devices.id = v.column1", upd);
  }

  // Queues event `e` (id handed out now); FlushEvents stores it unless an event with
  // `dedup_key` exists and then counts it in the summary.
  Status Raise(Event e, const std::string& dedup_key) {
    if (e.at.empty()) e.at = inv_.Now();
    auto id = event_ids_.Next();
    if (!id) return id.error();
    e.id = *id;
    events_.push_back({std::move(e), dedup_key});
    return Status::Ok();
  }
  Status FlushEvents() {
    if (events_.empty()) return Status::Ok();
    std::vector<SqlValue> v;
    v.reserve(events_.size() * 9);
    for (const auto& [e, key] : events_) {
      Push(v, I(e.id), T(e.at), T(e.kind), T(e.severity), T(e.site), I(e.device_id), T(e.scan),
                         key.empty() ? SqlValue() : T(key), T(e.message));
    }
    SqlRows stored;
    PO_TRY_S(ExecRows(store_, "INSERT INTO events (id, at, kind, severity, site, device_id, scan, dedup_key, message) "
                              "VALUES ",
                      "(CAST(? AS BIGINT), ?, ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?)", 9,
                      " ON CONFLICT (dedup_key) DO NOTHING RETURNING id", v, &stored));
    std::set<int64_t> ids;
    for (const auto& r : stored) ids.insert(ColInt(r, 0));
    for (auto& [e, key] : events_) {
      if (ids.count(e.id)) Keep(std::move(e));
    }
    events_.clear();
    return Status::Ok();
  }
  void Keep(Event e) {
    ++summary_.events_raised;
    if (summary_.first_event_id == 0) summary_.first_event_id = e.id;
    summary_.last_event_id = e.id;
    if (summary_.events.size() < kMaxSummaryEvents) summary_.events.push_back(std::move(e));
  }

  SqlInventory& inv_;
  Store& store_;
  ScanMeta meta_;
  SiteRow site_;
  int64_t scan_id_;
  bool resumed_;
  static constexpr size_t kBatchRows = 128;
  std::vector<Pending> batch_;                // records not yet resolved and written
  std::map<int64_t, Candidate> cands_;        // devices the batch may touch, by id
  std::vector<std::pair<Event, std::string>> events_;  // raised, not yet written (with dedup key)
  IdAllocator device_ids_, event_ids_;
  IngestSummary summary_;
  Sha256Stream hash_;
  bool done_ = false;
  bool marked_incomplete_ = false;  // stopped early (not a chunk): the digest is kept
  bool audit_ = true;
  bool owns_transaction_ = true;
  bool replay_ = false;
};

Result<std::unique_ptr<ScanIngest>> SqlInventory::BeginIngest(const ScanMeta& meta_in) {
  ScanMeta meta = meta_in;
  if (meta.scan_key.empty()) return MakeError(ErrorCode::kInvalidArgument, "a scan needs an id (scan key)");
  if (meta.site.empty()) return MakeError(ErrorCode::kInvalidArgument, "a scan is recorded against a site (--site)");
  if (meta.started_at.empty()) meta.started_at = Now();
  PO_TRY(store_->Begin());
  auto fail = [this](Error e) -> Result<std::unique_ptr<ScanIngest>> {
    (void)store_->Rollback();
    return e;
  };
  auto site = LoadSite(meta.site);
  if (!site) return fail(site.error());
  SqlValue k[] = {T(meta.scan_key)};
  auto existing = store_->Query("SELECT id, complete, site_id FROM scans WHERE key = $1", k);
  if (!existing) return fail(existing.error());
  int64_t scan_id = 0;
  bool already = false, resumed = false;
  if (!existing->empty()) {
    scan_id = ColInt(existing->front(), 0);
    if (ColInt(existing->front(), 2) != site->id) {
      return fail(MakeError(ErrorCode::kInvalidArgument,
                            "scan " + meta.scan_key + " was recorded against another site, not " + meta.site));
    }
    already = ColInt(existing->front(), 1) != 0;
    resumed = !already;
  } else {
    SqlValue p[] = {T(meta.scan_key),     I(site->id),   T(meta.agent),  T(meta.started_at),
                    T(meta.rules_version), T(meta.source), T(ScopeListToString(meta.scope.empty() ? site->scopes : meta.scope)),
                    T(Now())};
    auto ins = store_->Query(
        "INSERT INTO scans (key, site_id, agent, started_at, rules_version, source, scope, ingested_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        p);
    if (!ins) return fail(ins.error());
    scan_id = ColInt(ins->front(), 0);
  }
  if (already) (void)store_->Rollback();
  return std::unique_ptr<ScanIngest>(
      std::make_unique<SqlScanIngest>(*this, std::move(meta), std::move(*site), scan_id, already, resumed));
}

Result<ScanDiff> SqlInventory::Diff(const std::string& site, const std::string& from, const std::string& to) {
  auto site_row = LoadSite(site);
  if (!site_row) return site_row.error();
  std::string a = from, b = to;
  if (a.empty() || b.empty()) {
    SqlValue p[] = {I(site_row->id)};
    auto rows = store_->Query(
        "SELECT key FROM scans WHERE site_id = $1 AND complete = 1 ORDER BY started_at DESC, id DESC LIMIT 2", p);
    if (!rows) return rows.error();
    if (rows->size() < 2) {
      return MakeError(ErrorCode::kNotFound, "site " + site + " has fewer than two complete scans to compare");
    }
    if (b.empty()) b = Col((*rows)[0], 0);
    if (a.empty()) a = Col((*rows)[1], 0);
  }
  struct Seen {
    std::string ip, manufacturer, model, firmware, verdicts;
  };
  auto load = [&](const std::string& key) -> Result<std::map<int64_t, Seen>> {
    SqlValue p[] = {T(key), I(site_row->id)};
    auto id = store_->Query("SELECT id FROM scans WHERE key = $1 AND site_id = $2", p);
    if (!id) return id.error();
    if (id->empty()) return MakeError(ErrorCode::kNotFound, "no scan '" + key + "' at site " + site);
    std::map<int64_t, Seen> out;
    int64_t after = 0;
    while (true) {
      SqlValue q[] = {ColInt(id->front(), 0), I(after)};
      auto rows = store_->Query(
          "SELECT seq, device_id, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        after = ColInt(r, 0);
        auto rec = ParseScanRecord(Col(r, 2));
        if (!rec) continue;
        out[ColInt(r, 1)] = {rec->ip, rec->manufacturer, rec->model, rec->firmware,
                             JoinList(rec->prohibited) + "|" + JoinList(rec->review)};
      }
    }
    return out;
  };
  auto sa = load(a);
  if (!sa) return sa.error();
  auto sb = load(b);
  if (!sb) return sb.error();
  ScanDiff d;
  d.site = site;
  d.from_scan = a;
  d.to_scan = b;
  for (const auto& [id, s] : *sb) {
    auto it = sa->find(id);
    if (it == sa->end()) {
      d.appeared.push_back({id, s.ip, s.manufacturer, s.model, "appeared"});
      continue;
    }
    std::string change;
    const Seen& o = it->second;
    if (o.ip != s.ip) change += "address " + o.ip + " -> " + s.ip + "; ";
    if (o.manufacturer != s.manufacturer) change += "maker '" + o.manufacturer + "' -> '" + s.manufacturer + "'; ";
    if (o.model != s.model) change += "model '" + o.model + "' -> '" + s.model + "'; ";
    if (o.firmware != s.firmware) change += "firmware '" + o.firmware + "' -> '" + s.firmware + "'; ";
    if (o.verdicts != s.verdicts) change += "verdicts changed; ";
    if (!change.empty()) {
      change.resize(change.size() - 2);
      d.changed.push_back({id, s.ip, s.manufacturer, s.model, change});
    }
  }
  for (const auto& [id, s] : *sa) {
    if (sb->find(id) == sb->end()) d.disappeared.push_back({id, s.ip, s.manufacturer, s.model, "disappeared"});
  }
  return d;
}

// The device a snapshot (Snapshot(): id and identity keys as recorded in the audit log) was
// about, in the re-derived devices: the device of the site whose keys are exactly the recorded
// ones, else the one the identity rules pick for those keys; 0 when none.
Result<int64_t> SqlInventory::FindSnapshotDevice(int64_t site_id, const json& snap) {
  if (!snap.is_object()) return int64_t{0};
  ScanRecord keys;
  keys.mac = snap.value("mac", std::string());
  keys.serial = snap.value("serial", std::string());
  keys.ip = snap.value("ip", std::string());
  keys.manufacturer = snap.value("manufacturer", std::string());
  keys.model = snap.value("model", std::string());
  SqlValue p[] = {I(site_id), T(keys.mac), T(keys.serial), T(keys.ip), T(keys.manufacturer), T(keys.model)};
  auto exact = store_->Query(
      "SELECT id FROM devices WHERE site_id = $1 AND mac = $2 AND serial = $3 AND ip = $4 AND manufacturer = $5 "
      "AND model = $6 ORDER BY id LIMIT 1",
      p);
  if (!exact) return exact.error();
  if (!exact->empty()) return ColInt(exact->front(), 0);
  SqlIdentityLookup lookup(*store_, site_id);
  IdentityDecision d = ResolveIdentity(keys, 0, lookup);
  if (!lookup.status().ok()) return lookup.status().error();
  return d.device_id;
}

// Redoes a person's decision on a merge review inside Rebuild: finds the two devices again
// (from the snapshots the decision recorded; entries written before those were recorded name
// only device_a, whose single open review then says which device_b was meant) and merges them
// (accept) or marks their re-opened review rejected. False when the devices are not both there
// (the rules now decide otherwise): the decision is skipped.
Result<bool> SqlInventory::RedoMergeDecision(bool accept, const json& before, const json& after) {
  if (!after.is_object() || !after.contains("merge") || !after["merge"].is_object()) return false;
  const json& m = after["merge"];
  auto site = LoadSite(m.value("site", std::string()));
  if (!site) return false;
  json a_was = m.contains("device_a_was") ? m["device_a_was"] : before;
  auto a = FindSnapshotDevice(site->id, a_was);
  if (!a) return a.error();
  if (*a == 0) return false;
  int64_t b = 0;
  if (m.contains("device_b_was")) {
    auto found = FindSnapshotDevice(site->id, m["device_b_was"]);
    if (!found) return found.error();
    b = *found;
  } else {
    SqlValue p[] = {I(*a)};
    auto open = store_->Query("SELECT device_b FROM merge_reviews WHERE device_a = $1 AND status = 'open'", p);
    if (!open) return open.error();
    if (open->size() == 1) b = ColInt(open->front(), 0);
  }
  if (b == 0 || b == *a) return false;
  SqlValue ab[] = {I(*a), I(b)};
  auto review = store_->Query(
      "SELECT id FROM merge_reviews WHERE device_a = $1 AND device_b = $2 AND status = 'open' ORDER BY id LIMIT 1", ab);
  if (!review) return review.error();
  int64_t review_id = review->empty() ? 0 : ColInt(review->front(), 0);
  if (accept) {
    auto da = LoadDevice(*a);
    if (!da) return da.error();
    auto db = LoadDevice(b);
    if (!db) return db.error();
    if (Status s = MergeDevices(*da, *db); !s.ok()) return s.error();
  } else if (review_id == 0) {
    return false;  // nothing re-opened to reject
  }
  if (review_id != 0) {
    SqlValue q[] = {I(review_id), T(accept ? "accepted" : "rejected")};
    if (Status s = store_->Exec("UPDATE merge_reviews SET status = $2 WHERE id = $1", q); !s.ok()) return s.error();
  }
  return true;
}

Result<RebuildSummary> SqlInventory::Rebuild(const std::string& actor, const std::string& note) {
  if (actor.empty()) return MakeError(ErrorCode::kInvalidArgument, "an actor is required (--actor NAME)");
  RebuildSummary summary;
  Status st = InTransaction(*store_, [&]() -> Status {
    // People's decisions, in order, with the identity of the device they were about.
    struct Action {
      std::string at;
      AuditEntry entry;
    };
    std::vector<Action> actions;
    auto audit = store_->Query(std::string(kAuditSelect) + "WHERE action IN ('set-state', 'waive', 'merge-accepted', 'merge-rejected') "
                                 "ORDER BY seq");
    if (!audit) return audit.error();
    for (const auto& r : *audit) {
      AuditEntry e = ReadAudit(r);
      actions.push_back({e.at, e});
    }
    PO_TRY_S(store_->Exec("UPDATE scan_records SET device_id = NULL, match_rule = ''"));
    PO_TRY_S(store_->Exec("DELETE FROM merge_reviews"));
    PO_TRY_S(store_->Exec("DELETE FROM devices"));
    auto scans = store_->Query(
        "SELECT sc.id, sc.key, s.key, sc.agent, sc.started_at, sc.rules_version, sc.source, sc.scope, sc.complete "
        "FROM scans sc JOIN sites s ON s.id = sc.site_id ORDER BY sc.started_at, sc.id");
    if (!scans) return scans.error();
    size_t next_action = 0;
    auto apply_actions_before = [&](const std::string& limit) -> Status {
      for (; next_action < actions.size() && (limit.empty() || actions[next_action].at < limit); ++next_action) {
        const AuditEntry& e = actions[next_action].entry;
        json before = json::parse(e.before, nullptr, false);
        json after = json::parse(e.after, nullptr, false);
        if (e.action == "merge-accepted" || e.action == "merge-rejected") {
          auto redone = RedoMergeDecision(e.action == "merge-accepted", before, after);
          if (!redone) return redone.error();
          ++(*redone ? summary.actions_reapplied : summary.actions_skipped);
          continue;
        }
        if (!before.is_object() || !after.is_object()) {
          ++summary.actions_skipped;
          continue;
        }
        auto site = LoadSite(before.value("site", std::string()));
        if (!site) {
          ++summary.actions_skipped;
          continue;
        }
        auto found = FindSnapshotDevice(site->id, before);
        if (!found) return found.error();
        if (*found == 0) {
          ++summary.actions_skipped;
          continue;
        }
        auto dev = LoadDevice(*found);
        if (!dev) return dev.error();
        DeviceRecord next = *dev;
        next.state = StateOr(after.value("state", std::string()), dev->state);
        std::string prior = after.value("prior_state", std::string());
        next.prior_state = prior.empty() ? std::nullopt : std::optional<DeviceState>(StateOr(prior, DeviceState::kFound));
        next.replacement_model = after.value("replacement_model", std::string());
        next.target_date = after.value("target_date", std::string());
        next.removed_by = after.value("removed_by", std::string());
        next.waiver_approver = after.value("waiver_approver", std::string());
        next.waiver_reason = after.value("waiver_reason", std::string());
        next.waiver_expiry = after.value("waiver_expiry", std::string());
        next.waiver_expired = after.value("waiver_expired", false);
        next.reason = after.value("reason", std::string());
        next.state_since = e.at;
        next.missed_scans = 0;
        if (!IsTransitionAllowed(dev->state, next.state, TransitionOrigin::kPerson)) {
          ++summary.actions_skipped;
          continue;
        }
        PO_TRY_S(WriteLifecycle(*dev, next, e.actor, e.action, e.note, 0, /*audit=*/false));
        ++summary.actions_reapplied;
      }
      return Status::Ok();
    };
    for (const auto& s : *scans) {
      PO_TRY_S(apply_actions_before(Col(s, 4)));
      auto site = LoadSite(Col(s, 2));
      if (!site) return site.error();
      ScanMeta meta;
      meta.scan_key = Col(s, 1);
      meta.site = Col(s, 2);
      meta.agent = Col(s, 3);
      meta.started_at = Col(s, 4);
      meta.rules_version = Col(s, 5);
      meta.source = Col(s, 6);
      if (auto sc = ParseScopeList(Col(s, 7))) meta.scope = *sc;
      meta.complete = ColInt(s, 8) != 0;
      int64_t scan_id = ColInt(s, 0);
      SqlScanIngest replay(*this, meta, *site, scan_id, false, false);
      replay.set_replay();
      int64_t after = 0;
      while (true) {
        SqlValue q[] = {I(scan_id), I(after)};
        auto rows = store_->Query(
            "SELECT seq, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
        if (!rows) return rows.error();
        if (rows->empty()) break;
        for (const auto& r : *rows) {
          after = ColInt(r, 0);
          auto rec = ParseScanRecord(Col(r, 1));
          if (!rec) continue;
          PO_TRY_S(replay.Add(std::move(*rec), "", after));
          ++summary.records;
        }
      }
      PO_TRY_S(replay.FlushBatch());
      if (meta.complete) PO_TRY_S(replay.VerifyPass());
      ++summary.scans;
    }
    PO_TRY_S(apply_actions_before(""));
    auto n = store_->Query("SELECT COUNT(*) FROM devices");
    if (!n) return n.error();
    summary.devices = ColInt(n->front(), 0);
    AuditEntry e;
    e.actor = actor;
    e.action = "rebuild";
    e.after = json({{"scans", summary.scans}, {"records", summary.records}, {"devices", summary.devices},
                    {"actions_reapplied", summary.actions_reapplied}, {"actions_skipped", summary.actions_skipped}})
                  .dump();
    e.note = note.empty() ? "devices re-derived from the raw scan events" : note;
    return AppendAudit(std::move(e));
  });
  if (!st.ok()) return st.error();
  return summary;
}

}  // namespace

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
  return std::unique_ptr<Inventory>(std::make_unique<SqlInventory>(std::move(*store), options));
}

}  // namespace phaseout::inventory
