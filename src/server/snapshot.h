// Fills a report::InventorySnapshot from the inventory API: the one loader behind `phaseout
// report`, the server's report downloads and its overview.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/inventory_report.h"

namespace phaseout::inventory {
class Inventory;
}

namespace phaseout::server {

// The devices of the selected site/department (and, when `only_sites` is set, only of those
// sites: an authorisation scope), their verdict under `policy_id` (from the policies recorded at
// their last sighting), their deadline (replacement target date, else the site's deadline for
// the policy) and their history (the audit entries about them; the first sighting when the log
// starts later); with `with_evidence`, the identification evidence of each device's last
// record (one query per device: the overview does without). With `grouped` (the overview:
// counts and burn-down only), the devices without history come as one entry per group of
// Inventory::CountDeviceGroups (SnapshotDevice::weight devices; no id, address or evidence). kNotFound names an unknown site or department; database errors pass through.
Result<report::InventorySnapshot> LoadSnapshot(inventory::Inventory& inv, const std::string& policy_id,
                                               const std::string& department, const std::string& site,
                                               const std::string& db_label,
                                               const std::optional<std::vector<std::string>>& only_sites = std::nullopt,
                                               bool with_evidence = true, bool grouped = false);

}  // namespace phaseout::server
