// Shared pieces of the inventory report renderers (not part of the public API).
#pragma once

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

bool IsClosedState(std::string_view state);
bool WaiverExpired(const SnapshotDevice& d, std::string_view as_of);
bool IsRemaining(const SnapshotDevice& d, std::string_view as_of);
std::string Day(std::string_view iso);
std::string OrUnknown(const std::string& s);
std::string SiteName(const InventorySnapshot& s, const std::string& site_id);
std::string Mitigation(const SnapshotDevice& d);
std::vector<NoticeRow> Notices(const InventorySnapshot& s);

void WriteHtml(std::ostream& out, const InventorySnapshot& s, InventoryReportKind kind);

}  // namespace phaseout::report::internal
