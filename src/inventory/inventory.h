// Inventory: the system of record for a phase-out programme. Scan results are kept as raw
// events; devices are derived from them per site; each device moves through the lifecycle
// with every change in the hash-chained audit log. One API for the CLI, the reports and the
// server: every call is one transaction on the Store (SQLite or PostgreSQL).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/audit.h"
#include "inventory/events.h"
#include "inventory/lifecycle.h"
#include "inventory/record.h"
#include "inventory/sites.h"
#include "inventory/store.h"

namespace phaseout::inventory {

// The schema version this build writes; a database with a higher version is refused.
inline constexpr int kSchemaVersion = 10;

struct InventoryOptions {
  StoreOptions store;
  // ISO 8601 UTC "now" ("2026-12-01T20:00:00Z"); the system clock when empty. Tests fix it.
  std::function<std::string()> clock;
  int verify_after_scans = 2;   // a removed device unseen in this many covering scans is verified-removed
  int missing_after_scans = 2;  // an open device unseen in this many covering scans is missing
  // PostgreSQL text search with at least this many matches walks the sites' devices in order
  // instead of fetching every match through the trigram index and sorting them (same pages).
  int64_t dense_text_matches = 1000;
  // ListDevicePage with an offset of at least this many matches starts from a remembered
  // position instead of reading every skipped device: the (site key, id) of every step-th match
  // of the filter, found by one walk over the keys the first time a deep page is asked and kept
  // while the data stays the same (a few filters at a time). The pages are the same; 0: never.
  int64_t offset_checkpoint_step = 1000;
  // PostgreSQL: bring the text search table up to date (Inventory::RefreshSearchIndex) right
  // after each commit that may have changed searchable fields (an ingest, a merge decision, a
  // rebuild). The server turns this off and refreshes from a thread of its own, after the
  // answer has gone, so that an ingest does not wait for it.
  bool refresh_search_on_commit = true;
};

// One device as stored, plus what is derived when read. Value type.
struct DeviceRecord {
  int64_t id = 0;
  std::string site, department;
  std::string mac, serial, ip, manufacturer, brand, device_type, model, firmware;
  std::vector<std::string> prohibited;  // policies with a prohibited verdict at the last sighting
  std::vector<std::string> review;
  DeviceState state = DeviceState::kFound;
  std::optional<DeviceState> prior_state;  // before missing / waived
  std::string state_since;
  std::string replacement_model, target_date, removed_by;
  std::string waiver_approver, waiver_reason, waiver_expiry;
  bool waiver_expired = false;
  std::string reason;  // not-restricted reason
  std::string first_seen, last_seen, last_scan;
  int64_t missed_scans = 0;  // scans covering its address since it was last seen (or since a change of state reset it)
  std::string match_rule;  // rule that attached the last sighting
  // Store-internal: the part of missed_scans the site's count of whole-site scans gives (schema
  // v10); a write of missed_scans stores the rest. Not part of the device's JSON.
  int64_t missed_by_site = 0;
  // Derived on read:
  std::string status;      // "covered" (prohibited), "review", "unknown" (maker unknown: to check), "clear"
  bool overdue = false;
  std::string overdue_reason;
};

// Filters of ListDevices; empty fields match everything.
struct DeviceFilter {
  std::string site, department, policy, state, maker, brand, status;
  bool overdue_only = false;
  // Case-insensitive substring of address, MAC, serial, maker, brand or model; empty: all.
  std::string text;
  // When set, only devices of these site keys (an authorisation scope: an empty list matches
  // nothing). Applied on top of `site` and `department`.
  std::optional<std::vector<std::string>> only_sites;
  // Paging of ListDevicePage (ListDevices ignores them): skip `offset` matches, return at
  // most `limit` (0: all).
  int64_t offset = 0, limit = 0;
  // Keyset paging (instead of offset): the matches after device `after` in the page order
  // (its site key, then id), read through the indexes whatever the depth; 0: from the start.
  // The next page's cursor is the id of the last device of a full page.
  int64_t after = 0;
  // ListDevicePage counts the matches exactly up to max(count_cap, offset + limit) and stops
  // counting there (DevicePage::total_exact false): a count of every device is the slowest part
  // of a page on a large inventory and nobody pages through 10,000 devices one by one.
  int64_t count_cap = 10000;
  // ListDevices/ListDevicePage: only devices with an entry in the audit log (a lifecycle change
  // or a merge); the others are what CountDeviceGroups counts.
  bool with_audit_only = false;
};

// CountDeviceGroups: `count` devices without any audit log entry that agree on the fields of
// `device` that are set: id, site, department, manufacturer, brand, device_type, prohibited,
// review, state, target_date, waiver_expiry and first_seen (its day, YYYY-MM-DD).
struct DeviceGroup {
  DeviceRecord device;
  int64_t count = 0;
};

// One page of ListDevicePage: the devices and how many match the filter in all. When
// total_exact is false, more than `total` devices match (the count stopped at the cap).
struct DevicePage {
  std::vector<DeviceRecord> devices;
  int64_t total = 0;
  bool total_exact = true;
};

// The raw scan record that last attached one device (LastRecords).
struct DeviceLastRecord {
  int64_t device_id = 0;
  std::string record;  // "" when the device has none
};

// Metadata of one scan to ingest.
struct ScanMeta {
  std::string scan_key;       // unique id of the scan (idempotency key); required
  std::string site;           // site id; required
  std::string agent;          // host or agent that scanned
  std::string started_at;     // ISO 8601 UTC; defaults to now
  std::string rules_version;  // fingerprint/policy data version
  std::string source;         // "phaseout scan", a file name, ...
  std::vector<Cidr> scope;    // what the scan covered; empty: the site's scopes
  bool complete = true;       // false: more chunks follow (records only, no verification pass)
};

struct IngestSummary {
  std::string scan_key;
  bool already_ingested = false;  // the scan was ingested before: nothing changed
  int64_t records = 0, skipped_records = 0, new_devices = 0, matched_devices = 0;
  int64_t duplicates = 0, reviews_opened = 0;
  int64_t verified_removed = 0, went_missing = 0, regressions = 0, reappeared = 0;
  // Events this ingest raised: the first kMaxSummaryEvents of them (so memory stays bounded on a
  // large ingest); events_raised counts all, stored with ids first_event_id..last_event_id
  // (read them with Inventory::Events when events_raised > events.size()).
  std::vector<Event> events;
  int64_t events_raised = 0, first_event_id = 0, last_event_id = 0;
};
inline constexpr size_t kMaxSummaryEvents = 1000;

// An ingest in progress: one open transaction. Not thread-safe. Destroying it without Commit
// rolls everything back.
class ScanIngest {
 public:
  virtual ~ScanIngest() = default;
  // Adds one NDJSON line of `phaseout scan` with sequence number `seq` (1-based, unique in the
  // scan). Fails with kParse for a malformed line: the caller should then drop the ingest.
  virtual Status AddLine(std::string_view line, int64_t seq) = 0;
  // Adds a record whose raw JSON is `raw`.
  virtual Status AddRecord(const ScanRecord& record, std::string_view raw, int64_t seq) = 0;
  // Records the scan as incomplete (stopped early): its records are kept but it does not
  // count as a verification scan.
  virtual void MarkIncomplete() = 0;
  // Waits for the statements an ingest runs on a thread of its own (PostgreSQL writes a batch
  // while the next is resolved). Until the next AddLine or AddRecord the caller may then run
  // statements of its own on the store, inside the ingest's transaction.
  virtual Status Flush() { return Status::Ok(); }
  // Runs the verification pass (if complete), writes the audit entry and commits.
  virtual Result<IngestSummary> Commit() = 0;
};

// Result of VerifyAudit.
struct AuditVerification {
  int64_t entries = 0;
  bool ok = true;
  int64_t first_bad_seq = 0;
  std::string problem;    // what is wrong, when !ok
  std::string head_hash;  // hash of the last entry (record it elsewhere to detect truncation)
};

// Differences between two scans of a site.
struct ScanDiff {
  std::string site, from_scan, to_scan;
  struct Item {
    int64_t device_id = 0;
    std::string ip, manufacturer, model, change;
  };
  std::vector<Item> appeared, disappeared, changed;
};

struct ScanListing {
  std::string key, site, agent, started_at, rules_version, source, scope;
  int64_t records = 0;
  bool complete = false;
};

struct MergeReview {
  int64_t id = 0;
  std::string site;
  int64_t device_a = 0, device_b = 0;
  std::string reason, scan, status;
};

struct RebuildSummary {
  int64_t scans = 0, records = 0, devices = 0, actions_reapplied = 0, actions_skipped = 0;
};

class Inventory {
 public:
  // Opens (creating if needed) the store at `location` and migrates it to kSchemaVersion.
  // Fails with kIo (cannot open; locked; read-only) or kInvalidArgument (the database is from a
  // newer phaseout: its version and ours are named).
  static Result<std::unique_ptr<Inventory>> Open(const std::string& location, const InventoryOptions& options = {});
  virtual ~Inventory() = default;

  virtual Store& store() = 0;
  virtual std::string Now() = 0;

  // Organisation. ImportSites adds or updates departments and sites (never deletes: a site
  // that disappears from the file stays, with its history) and writes one audit entry.
  virtual Status ImportSites(const SitesFile& file, const std::string& actor, const std::string& note) = 0;
  virtual Result<std::vector<Department>> ListDepartments() = 0;
  virtual Result<std::vector<Site>> ListSites() = 0;
  virtual Result<Site> GetSite(const std::string& id) = 0;  // kNotFound names the id

  // Ingest. If meta.scan_key was completely ingested before, the returned ScanIngest ignores
  // records and Commit reports already_ingested. kNotFound for an unknown site.
  virtual Result<std::unique_ptr<ScanIngest>> BeginIngest(const ScanMeta& meta) = 0;
  virtual Result<std::vector<ScanListing>> ListScans(const std::string& site) = 0;

  // Devices.
  virtual Result<std::vector<DeviceRecord>> ListDevices(const DeviceFilter& filter) = 0;
  // The devices matching `filter` from filter.offset, at most filter.limit of them, in the
  // order of ListDevices (site key, then device id; read through index devices_site_id), and
  // the number of matches (up to filter.count_cap: see DevicePage::total_exact).
  virtual Result<DevicePage> ListDevicePage(const DeviceFilter& filter) = 0;
  // The devices matching `filter` (its site, department and only_sites; other fields must be
  // empty) that have no audit log entry, counted by the fields of DeviceGroup: a whole
  // inventory's counts and burn-down in one aggregate query (the server's overview). The
  // devices with entries: ListDevices with with_audit_only.
  virtual Result<std::vector<DeviceGroup>> CountDeviceGroups(const DeviceFilter& filter) = 0;
  virtual Result<DeviceRecord> GetDevice(int64_t id) = 0;  // kNotFound
  // A person's lifecycle change (validated; audited). Returns the device after the change.
  virtual Result<DeviceRecord> SetState(int64_t id, const TransitionRequest& request) = 0;
  // Waivers past their expiry return to the prior state (audited, waiver-expired event), and
  // deadline-passed events are raised once per site and policy. Returns the new events.
  virtual Result<std::vector<Event>> CheckDeadlines() = 0;
  virtual Result<std::vector<MergeReview>> ListReviews(bool open_only) = 0;
  // A person's decision on open merge review `review_id` (actor and note required; audited).
  // Accept: device_b (the newer) is the same unit as device_a: its raw records, latest sighting
  // and identity keys go to device_a, which keeps its id, lifecycle and history; device_b's row
  // is removed (its audit entries and events stay). Reject: they stay two devices. Returns the
  // decided review. kNotFound for no such review; kInvalidArgument when already decided.
  virtual Result<MergeReview> DecideReview(int64_t review_id, bool accept, const std::string& actor,
                                           const std::string& note) = 0;
  // The raw scan record (one NDJSON device line as scanned, with its identification evidence)
  // that last attached to device `id`; "" when the device has none. kNotFound for no device.
  virtual Result<std::string> LastRecord(int64_t id) = 0;
  // LastRecord of many devices in one query: the devices with id > after_id in id order, at
  // most `limit` (1 to 5000) of them. Page with after_id = the last id returned.
  virtual Result<std::vector<DeviceLastRecord>> LastRecords(int64_t after_id, int64_t limit) = 0;

  // PostgreSQL: writes the search text of the devices inserted or changed since the last
  // refresh into the text search table (device_search, schema version 9) and returns how many;
  // SQLite: 0 (its searches read the devices). Searches are right without it (they read the
  // devices not yet refreshed themselves) and fast after it. Safe beside writers; a refresh
  // already running elsewhere makes this one return 0. REQUIRES: no transaction open.
  virtual Result<int64_t> RefreshSearchIndex() = 0;

  // History and proof.
  virtual Result<std::vector<AuditEntry>> History(int64_t device_id) = 0;
  virtual Result<AuditVerification> VerifyAudit() = 0;
  virtual Result<std::vector<Event>> Events(int64_t after_id) = 0;

  // What appeared, disappeared and changed between two scans of `site` (scan keys; empty:
  // the two latest complete scans).
  virtual Result<ScanDiff> Diff(const std::string& site, const std::string& from_scan, const std::string& to_scan) = 0;

  // Re-derives every device from the raw scan events in time order with the current rules and
  // re-applies people's recorded decisions to the devices they were about (matched by their
  // recorded identity). One transaction; one audit entry.
  virtual Result<RebuildSummary> Rebuild(const std::string& actor, const std::string& note) = 0;
};

}  // namespace phaseout::inventory
