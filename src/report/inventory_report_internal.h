// Shared pieces of the inventory report renderers (not part of the public API).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "report/inventory_report.h"

namespace phaseout::report::internal {

// What each status number counts; printed under every status table.
inline constexpr const char* kCountsExplained =
    "Found: devices whose verdict under the policy is prohibited or review (in scope), in any "
    "state. Removed (claimed): someone recorded the removal; not yet confirmed by scans. Verified "
    "removed: not seen by the required number of later scans covering its last address. Waived: "
    "an approved waiver that has not expired. Remaining: in scope and not removed, verified, "
    "waived or cleared as not restricted (an expired waiver counts as remaining). Overdue: "
    "remaining past its deadline, or waived past the waiver's expiry. Missing: stopped answering "
    "without being marked removed. Maker unknown: no maker identified; listed to be checked, "
    "never counted as clear.";

inline constexpr const char* kBurnDownExplained =
    "Remaining and closed in-scope units at the end of each day on which something was recorded "
    "(from the lifecycle history in the inventory; closed = removed, verified removed, waived or "
    "cleared).";

inline constexpr const char* kNoticeExplained =
    "One entry per device with a prohibited verdict, with the fields FAR 52.204-25(d)(2)(i) asks "
    "for within one business day: contract and order numbers (filled in by the contracting "
    "office), supplier name, supplier unique entity identifier and CAGE code, brand, model "
    "number, item description and any readily available mitigation. Values come from the "
    "inventory: identification by phaseout rules, supplier and description from imported "
    "registers where recorded.";

struct NoticeRow {
  std::string device_id, supplier, manufacturer, brand, model, description, location, found,
      clause, mitigation;
};

// Which devices of a report get their full section (identification, evidence, history):
// every device of a small report, else the first devices needing attention (see
// InventoryReportLimits), with the counts the report prints for what it left out.
struct DetailSelection {
  bool everything = true;            // every device of the snapshot has its section
  std::vector<size_t> shown;         // device indexes with a section, in print order
  std::vector<bool> has_section;     // per device index
  uint64_t attention = 0;            // devices needing attention (all of the report)
  uint64_t attention_left_out = 0;   // of those, without a section here
  uint64_t closed_left_out = 0;      // in scope, closed (removed, verified, waived, not restricted)
  uint64_t clear_left_out = 0;       // not in scope under the policy, maker known, not missing
};
DetailSelection SelectDetails(const InventorySnapshot& s, const InventoryReportData& r, size_t limit);

// The sentence under a shortened list or section: what `left_out` counts and where to find it.
inline constexpr const char* kEveryDeviceIn =
    "The CSV and JSON formats of this report (phaseout report --format csv or --format json, "
    "same options) list every device with its evidence and history.";

// The sentences printed where a list or section of a large report stops short (what was left
// out, counted, and where to find it).
std::string NoticesLeftOut(size_t shown, size_t total);
std::string DeadlinesLeftOut(const InventorySnapshot& s, const InventoryReportData& r, size_t shown);
std::string MakerUnknownLeftOut(size_t left_out);
std::string DetailsLeftOut(const InventorySnapshot& s, const DetailSelection& sel);

bool IsClosedState(std::string_view state);
bool WaiverExpired(const SnapshotDevice& d, std::string_view as_of);
bool IsRemaining(const SnapshotDevice& d, std::string_view as_of);
std::string Day(std::string_view iso);
std::string OrUnknown(const std::string& s);
std::string SiteName(const InventorySnapshot& s, const std::string& site_id);
std::string Mitigation(const SnapshotDevice& d);
// The notices of the devices with a prohibited verdict, the first `limit` of them.
std::vector<NoticeRow> Notices(const InventorySnapshot& s, size_t limit = SIZE_MAX);
// How many notices the snapshot has (devices with a prohibited verdict).
size_t CountNotices(const InventorySnapshot& s);

void WriteHtml(std::ostream& out, const InventorySnapshot& s, InventoryReportKind kind,
               const InventoryReportLimits& limits);

}  // namespace phaseout::report::internal
