// Inventory reports for a phase-out programme: counts by department, site, maker, brand, type
// and state; removed vs remaining; deadlines with overdue items first; a burn-down from the
// recorded history; per-device evidence and history; the FAR 52.204-25(d) covered-equipment
// notice; a status table per department/site for a programme office. Rendered as Markdown,
// CSV, JSON or one self-contained HTML file (docs/reports.md).
//
// The renderers read a plain InventorySnapshot, not a database: the CLI fills it from the
// inventory store, tests fill it by hand.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/identification.h"

namespace phaseout::report {

// One recorded lifecycle change (or observation event) of a device. Value type.
struct HistoryEvent {
  std::string at;          // ISO 8601 UTC, e.g. "2026-11-02T09:00:00Z"
  std::string device_id;
  std::string from_state;  // empty for the first record of a device
  std::string to_state;    // lifecycle state after the event (see SnapshotDevice::state)
  std::string actor;       // who made the change ("scan <id>" for automatic ones)
  std::string note;
};

struct SnapshotSite {
  std::string id;
  std::string name;
  std::string department;
  std::string owner;
  std::string deadline;  // YYYY-MM-DD: the policy deadline that applies at this site, or empty
};

// One device of the inventory as the report needs it. Value type; empty strings are unknown.
struct SnapshotDevice {
  std::string id;
  std::string site;        // SnapshotSite::id
  std::string department;
  std::string ip;
  std::string mac;
  std::string serial;
  std::string manufacturer;  // vendor id; empty = unknown (listed to be checked, never "clear")
  std::string brand;
  std::string device_type;
  std::string model;
  std::string firmware;
  // Lifecycle: found, confirmed, replacement-planned, removed, verified-removed, waived,
  // not-restricted, missing.
  std::string state;
  std::string verdict;     // status under the report's policy: prohibited, review or clear
  std::string clause;      // clause that fired, e.g. "889(f)(3)(B)"
  std::string reason;      // the verdict's sentence
  std::string deadline;    // YYYY-MM-DD by which it must be gone (replacement target or site deadline)
  std::string first_seen;  // ISO 8601
  std::string last_seen;
  std::string replacement_model;
  std::string waiver_expiry;  // YYYY-MM-DD
  std::string supplier;       // who sold it, if recorded (FAR: supplier name)
  std::string description;    // item description, if recorded
  std::string location;       // where it is, beyond the site (room, address)
  std::vector<std::string> sources;  // "scan <id>", "import:csv", ...
  std::vector<model::Evidence> evidence;
  std::vector<HistoryEvent> history;  // this device's events, oldest first
  // How many devices this entry stands for in ComputeInventoryReport's counts and burn-down
  // (the server's overview groups devices without history: server::LoadSnapshot, grouped).
  uint64_t weight = 1;
};

// Everything one report shows. Value type; filled by the CLI from the store or by tests.
struct InventorySnapshot {
  std::string policy_id;
  std::string policy_title;
  std::string as_of;         // YYYY-MM-DD the report is for (deadlines compare to it)
  std::string generated_at;  // ISO 8601
  std::string data_source;   // e.g. "inventory database inventory.db, 3 sites, 2 scans"
  std::string department_filter;
  std::string site_filter;
  std::vector<SnapshotSite> sites;
  std::vector<SnapshotDevice> devices;
};

enum class InventoryReportFormat { kHtml, kMarkdown, kCsv, kJson };
// Parses "html", "md" (or "markdown"), "csv", "json"; kInvalidArgument otherwise.
Result<InventoryReportFormat> ParseInventoryReportFormat(std::string_view name);

// What a report contains: the full report, only the FAR notice, or only the status table.
enum class InventoryReportKind { kFull, kNotice, kStatus };
Result<InventoryReportKind> ParseInventoryReportKind(std::string_view name);

// Counts for one department or site, or the whole report (the programme-office status).
// "In scope" = devices whose verdict under the policy is prohibited or review.
struct StatusCounts {
  uint64_t found = 0;        // in scope, any state (units found)
  uint64_t removed = 0;      // state removed (claimed, not yet verified)
  uint64_t verified = 0;     // state verified-removed
  uint64_t waived = 0;       // state waived with an unexpired waiver
  uint64_t not_restricted = 0;  // cleared by a reviewed decision (not counted as remaining)
  uint64_t remaining = 0;    // in scope and not removed/verified/waived/not-restricted
  uint64_t overdue = 0;      // remaining past its deadline, or waived with an expired waiver
  uint64_t missing = 0;      // state missing (stopped answering without a decision)
  uint64_t to_check = 0;     // manufacturer unknown: listed to be checked, never counted clear
};

// A point of the burn-down: on `date`, `remaining` in-scope units were open and `closed`
// had been removed, verified, waived or cleared.
struct BurnDownPoint {
  std::string date;  // YYYY-MM-DD
  uint64_t remaining = 0;
  uint64_t closed = 0;
};

// Everything computed from a snapshot; the renderers only format this. Value type.
struct InventoryReportData {
  StatusCounts total;
  std::map<std::string, StatusCounts> by_department;
  std::map<std::string, StatusCounts> by_site;
  std::map<std::string, uint64_t> by_manufacturer;  // in-scope units; "unknown" for empty
  std::map<std::string, uint64_t> by_brand;
  std::map<std::string, uint64_t> by_device_type;
  std::map<std::string, uint64_t> by_state;         // all devices of the snapshot
  std::vector<size_t> deadline_order;  // indexes of open in-scope devices: overdue first, then by deadline
  std::vector<size_t> to_check;        // indexes of devices with an unknown manufacturer
  // Indexes of the devices that need attention (NeedsAttention): deadline_order, then the
  // missing devices not in it, then the devices with an unknown manufacturer not in either.
  std::vector<size_t> attention;
  std::vector<BurnDownPoint> burn_down;
};

// How much of a large report the formats meant for reading (HTML, Markdown) print; the CSV and
// JSON formats always carry every device, with its evidence and history. A report of at most
// `device_details` devices shows every device in full (as a small estate's report always did);
// a larger one shows in full only the first `device_details` devices that need attention
// (InventoryReportData::attention order) and says how many it left out and where they are.
// Value type.
struct InventoryReportLimits {
  size_t deadline_rows = 1000;       // rows of the deadline table (overdue first)
  size_t maker_unknown_rows = 1000;  // entries of the list of devices with an unknown maker
  size_t device_details = 200;       // device sections (identification, evidence, history)
  size_t notices = 200;              // FAR notices in a full report (kind notice prints all)
};

// True iff `d` counts as in scope (verdict prohibited or review).
bool InScope(const SnapshotDevice& d);
// True iff `d` is in scope, still open and past its deadline on `as_of`, or waived with a
// waiver that expired before `as_of`.
bool IsOverdue(const SnapshotDevice& d, std::string_view as_of);

// True iff `d` needs someone's attention: in scope and still open (IsOverdue or not), missing,
// or of an unknown manufacturer (to be checked).
bool NeedsAttention(const SnapshotDevice& d, std::string_view as_of);

// Computes the counts, orderings and burn-down. Pure; thread-safe.
InventoryReportData ComputeInventoryReport(const InventorySnapshot& snapshot);

// The indexes of the devices whose full section (identification, evidence, history) the HTML
// and Markdown of a full report print under `limits`: every device of a small report, else the
// first devices needing attention. A loader may read evidence for these devices only
// (server::LoadDetailEvidence): those renderings print no other device's evidence. Pure.
std::vector<size_t> DevicesShownInDetail(const InventorySnapshot& s, const InventoryReportLimits& limits = {});

// Renders the report. HTML is one self-contained document (inline CSS and SVG, no scripts,
// no external URLs) laid out for print. Device bytes are escaped for the format. `limits`
// bound the HTML and Markdown of a large report (InventoryReportLimits); every count and chart
// is always computed over every device.
void WriteInventoryReport(std::ostream& out, const InventorySnapshot& snapshot,
                          InventoryReportFormat format,
                          InventoryReportKind kind = InventoryReportKind::kFull,
                          const InventoryReportLimits& limits = {});

}  // namespace phaseout::report
