// Shared by the files of the inventory implementation; not part of the public API. SqlInventory
// is the Inventory over a Store (inventory.cc: opening, organisation, audit and events;
// inventory_ingest.cc: ingest, verification pass and rebuild; inventory_lifecycle.cc: state
// changes, deadlines, merge reviews; inventory_queries.cc: device lists and pages, history,
// audit verification, diff), with the row helpers they share.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json_dump.h"
#include "core/utc_time.h"
#include "inventory/inventory.h"

namespace phaseout::inventory::internal {

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

inline std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

inline std::vector<std::string> SplitList(const std::string& s) {
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

inline SqlValue T(std::string s) { return SqlValue(std::move(s)); }
inline SqlValue I(int64_t n) { return SqlValue(n); }

// Appends values to a statement's parameter list (moved, not copied).
template <typename... V>
inline void Push(std::vector<SqlValue>& out, V&&... v) {
  (out.push_back(std::forward<V>(v)), ...);
}

// A column a statement writes from an array parameter, and its type there.
struct TypedColumn {
  std::string_view name;
  bool integer;  // BIGINT (else TEXT)
};

// The lifecycle columns of devices (what a change of state writes), in the order of
// LifecycleValues: WriteLifecycle writes them for one device and the verification pass on
// PostgreSQL for many at once, both from this list, so neither can miss a column.
inline constexpr TypedColumn kLifecycleColumns[] = {
    {"state", false},          {"prior_state", false},     {"state_since", false},
    {"replacement_model", false}, {"target_date", false},  {"removed_by", false},
    {"waiver_approver", false}, {"waiver_reason", false},  {"waiver_expiry", false},
    {"waiver_expired", true},  {"reason", false},          {"missed_scans", true}};

// PostgreSQL: "UPDATE devices SET c = v.c, ...[, also] FROM unnest($1::bigint[], $2::text[], ...)
// AS v(id, c, ...) WHERE devices.id = v.id": many devices' `columns` in one statement, the
// device ids as $1 and each column's values as one array after it (PgColumns).
std::string UpdateDevicesFromArrays(std::span<const TypedColumn> columns, std::string_view also = "");

// The values of kLifecycleColumns for `d`, in that order.
std::vector<SqlValue> LifecycleValues(const DeviceRecord& d);

inline DeviceState StateOr(const std::string& name, DeviceState fallback) {
  auto s = ParseDeviceState(name);
  return s ? *s : fallback;
}

// A device's searchable fields joined by spaces (PostgreSQL text search): what device_search
// holds and what a search checks its candidates against (schema v9; the same expression as the
// statistics object devices_search_text, so the planner knows how many devices a text matches).
constexpr const char* kDeviceSearchText =
    "(d.ip || ' ' || d.mac || ' ' || d.serial || ' ' || d.manufacturer || ' ' || d.brand || ' ' || d.model)";

// The part of device d's missed scans its site's count of whole-site scans gives (schema v10,
// kMigration10): whole-site scans since its last sighting, less the scan of that sighting if it
// is one. Needs `sites s` and `scans sc` (its last scan, LEFT JOIN) beside `devices d`.
#define PHASEOUT_MISSED_BY_SITE "(s.full_scans - d.full_scans_seen - COALESCE(sc.full_counted, 0))"
// A device's missed scans, with the same joins.
#define PHASEOUT_MISSED_SCANS "(d.missed_scans + " PHASEOUT_MISSED_BY_SITE ")"
constexpr const char* kMissedScans = PHASEOUT_MISSED_SCANS;

// Columns of a device row, in ReadDevice order.
constexpr const char* kDeviceSelect =
    "SELECT d.id, s.key, dp.key, d.mac, d.serial, d.ip, d.manufacturer, d.brand, d.device_type, d.model, "
    "d.firmware, d.prohibited, d.review, d.state, d.prior_state, d.state_since, d.replacement_model, "
    "d.target_date, d.removed_by, d.waiver_approver, d.waiver_reason, d.waiver_expiry, d.waiver_expired, "
    "d.reason, d.first_seen, d.last_seen, COALESCE(sc.key, ''), " PHASEOUT_MISSED_SCANS ", d.match_rule, "
    PHASEOUT_MISSED_BY_SITE " "
    "FROM devices d JOIN sites s ON s.id = d.site_id JOIN departments dp ON dp.id = s.department_id "
    "LEFT JOIN scans sc ON sc.id = d.last_scan_id ";
#undef PHASEOUT_MISSED_SCANS
#undef PHASEOUT_MISSED_BY_SITE

inline DeviceRecord ReadDevice(const SqlRow& r) {
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
  d.missed_by_site = ColInt(r, 29);
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
inline std::string Snapshot(const DeviceRecord& d) {
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
  return DumpJson(j);
}

inline bool NeedsAttention(const DeviceRecord& d) { return d.status != "clear"; }

// Columns of an audit_log row, in AuditFromRow order.
constexpr const char* kAuditSelect =
    "SELECT seq, at, actor, action, device_id, scan_id, before, after, note, prev_hash, hash FROM audit_log ";

// An audit entry from a row selected with kAuditSelect.
inline AuditEntry AuditFromRow(const SqlRow& r) {
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

// Positions in one device list (a filter's matches in page order: site key, then id) that a
// deep offset page starts from. at[i] is the (site key, device id) of match (i + 1) * step.
struct OffsetCheckpoints {
  std::vector<std::pair<std::string, int64_t>> at;
  bool complete = false;  // the list ends before match (at.size() + 1) * step
};

// The checkpoints of the few filters paged last (least recently used ones are dropped), for
// one data version: the owner clears it when the version changes. Not thread-safe.
class OffsetCheckpointCache {
 public:
  static constexpr size_t kFilters = 8;
  const OffsetCheckpoints* Find(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    it->second.used = ++tick_;
    return &it->second.checkpoints;
  }
  void Keep(const std::string& key, OffsetCheckpoints checkpoints) {
    if (entries_.size() >= kFilters && !entries_.count(key)) {
      auto oldest = entries_.begin();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.used < oldest->second.used) oldest = it;
      }
      entries_.erase(oldest);
    }
    entries_[key] = {std::move(checkpoints), ++tick_};
  }
  void Clear() { entries_.clear(); }

 private:
  struct Entry {
    OffsetCheckpoints checkpoints;
    uint64_t used = 0;
  };
  std::unordered_map<std::string, Entry> entries_;
  uint64_t tick_ = 0;
};

// A site as the ingest needs it: id, keys, scopes and policy deadlines.
struct SiteRow {
  int64_t id = 0;
  int64_t full_scans = 0;  // complete scans that covered the whole site (schema v10)
  std::string key, department;
  std::vector<Cidr> scopes;
  std::map<std::string, std::string> deadlines;
};

// The count and SHA-256 (hex) of scan `scan_id`'s raw records in sequence order, each followed
// by a newline: the digest an ingest audit entry records and `audit verify` recomputes. Reads
// the records 5,000 at a time.
Result<std::pair<int64_t, std::string>> DigestScanRecords(Store& store, int64_t scan_id);

// The Inventory over a Store. One per connection; not thread-safe (as Store).
class SqlInventory final : public Inventory {
 public:
  SqlInventory(std::unique_ptr<Store> store, InventoryOptions options)
      : store_(std::move(store)), options_(std::move(options)) {}

  Store& store() override { return *store_; }
  std::string Now() override { return options_.clock ? options_.clock() : UtcNowIso8601(); }
  std::string Today() { return Now().substr(0, 10); }
  const InventoryOptions& options() const { return options_; }

  // ---- audit and events (inside an open transaction) ----

  Status AppendAudit(AuditEntry e);
  // Entries appended in order, chained from the head of the log read once (their seq,
  // prev_hash and hash are set here; `at` where empty).
  Status AppendAudits(std::vector<AuditEntry> entries);

  // Records `e` unless an event with `dedup_key` exists; appends it to `out` when new.
  Status AddEvent(Event e, const std::string& dedup_key, std::vector<Event>* out);

  // Writes the lifecycle columns of `after` and an audit entry from `before`.
  Status WriteLifecycle(const DeviceRecord& before, const DeviceRecord& after, const std::string& actor,
                        const std::string& action, const std::string& note, int64_t scan_id, bool audit = true);

  Result<DeviceRecord> LoadDevice(int64_t id);

  Result<SiteRow> LoadSite(const std::string& key);

  // ---- organisation ----

  Status ImportSites(const SitesFile& file, const std::string& actor, const std::string& note) override;

  Result<std::vector<Department>> ListDepartments() override;

  Result<std::vector<Site>> ListSites() override;

  Result<Site> GetSite(const std::string& id) override;

  // ---- ingest ----

  Result<std::unique_ptr<ScanIngest>> BeginIngest(const ScanMeta& meta) override;

  Result<std::vector<ScanListing>> ListScans(const std::string& site) override;

  // ---- devices ----

  void Derive(DeviceRecord& d, const std::map<std::string, std::map<std::string, std::string>>& deadlines,
              const std::string& today);

  // Every site's policy deadlines, read again only when the data changed (read_cache_).
  Result<std::map<std::string, std::map<std::string, std::string>>> AllDeadlines();

  Result<std::vector<DeviceRecord>> ListDevices(const DeviceFilter& f) override;

  // Every filter of ListDevices is applied in SQL (so a page of a large inventory reads only
  // its rows): status and overdue are the SQL forms of ReadDevice's status and Derive's
  // overdue, which stay the reference (store_test compares both).
  Result<DevicePage> ListDevicePage(const DeviceFilter& f) override;
  // One try: nullopt when `again` and the data changed while the page was read from kept
  // positions (the caller tries again); without `again` such a page is read from the start.
  Result<std::optional<DevicePage>> ListDevicePageOnce(const DeviceFilter& f, bool again);
  Result<std::vector<DeviceGroup>> CountDeviceGroups(const DeviceFilter& f) override;

  Result<std::string> LastRecord(int64_t id) override;
  Result<std::vector<DeviceLastRecord>> LastRecords(int64_t after_id, int64_t limit) override;

  Result<DeviceRecord> GetDevice(int64_t id) override;

  Result<DeviceRecord> SetState(int64_t id, const TransitionRequest& req) override;

  // Waiver expiry and passed deadlines. REQUIRES: inside a transaction.
  Status CheckDeadlinesTx(const std::string& today, std::vector<Event>* out);

  Result<std::vector<Event>> CheckDeadlines() override;

  Result<std::vector<MergeReview>> ListReviews(bool open_only) override;

  // Folds device b into device a (an accepted merge review): a takes b's identity keys (empty
  // keys keep a's) and b's last sighting when that is later; lifecycle and history stay a's;
  // b's raw records and reviews move to a and b's row goes. REQUIRES: inside a transaction.
  Status MergeDevices(const DeviceRecord& a, const DeviceRecord& b);

  Result<MergeReview> DecideReview(int64_t review_id, bool accept, const std::string& actor,
                                   const std::string& note) override;

  // ---- history ----

  static AuditEntry ReadAudit(const SqlRow& r) { return AuditFromRow(r); }

  Result<std::vector<AuditEntry>> History(int64_t device_id) override;

  Result<AuditVerification> VerifyAudit() override;

  Result<std::vector<Event>> Events(int64_t after_id) override;

  Result<ScanDiff> Diff(const std::string& site, const std::string& from, const std::string& to) override;
  Result<RebuildSummary> Rebuild(const std::string& actor, const std::string& note) override;
  Result<int64_t> RefreshSearchIndex() override;
  // RefreshSearchIndex after a commit when the options ask for it. Its failure is not the
  // commit's: the searches stay right, only slower, and the next refresh takes the rest.
  void RefreshSearchAfterCommit() {
    if (options_.refresh_search_on_commit && store_->dialect() == Dialect::kPostgres) (void)RefreshSearchIndex();
  }
  Result<int64_t> FindSnapshotDevice(int64_t site_id, const json& snap);
  Result<bool> RedoMergeDecision(bool accept, const json& before, const json& after);

  // Reads that repeat while nothing changes, kept under the Store's DataVersion and dropped as
  // soon as it differs: the deadlines of every site and capped counts of device lists (by
  // query and parameters). The count of a page's matches costs more than the page (it reads up
  // to count_cap rows), and the dashboard asks the same count for every page it shows.
  // Deep offset pages keep the positions of every step-th match of their filter (its `at`).
  struct ReadCache {
    std::string version;  // "" = nothing cached
    std::optional<std::map<std::string, std::map<std::string, std::string>>> deadlines;
    std::unordered_map<std::string, int64_t> counts;
    OffsetCheckpointCache checkpoints;
  };
  // Starts a read: compares the data version with the cached one (one round trip; it replaces
  // the deadline query it saves).
  Status RefreshReadCache();
  ReadCache read_cache_;
  std::unique_ptr<Store> store_;
  InventoryOptions options_;
};

}  // namespace phaseout::inventory::internal
