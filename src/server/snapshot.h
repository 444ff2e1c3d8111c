// Fills a report::InventorySnapshot from the inventory API: the one loader behind `phaseout
// report`, the server's report downloads and its overview.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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
// record (read in bulk for 200 devices or more; the overview and the report kinds that print
// no evidence do without it, the HTML and Markdown of a full report use LoadDetailEvidence).
// With `grouped` (the overview: counts and burn-down only), the devices without history come
// as one entry per group of Inventory::CountDeviceGroups (SnapshotDevice::weight devices; no
// id, address or evidence). kNotFound names an unknown site or department; database errors
// pass through.
Result<report::InventorySnapshot> LoadSnapshot(inventory::Inventory& inv, const std::string& policy_id,
                                               const std::string& department, const std::string& site,
                                               const std::string& db_label,
                                               const std::optional<std::vector<std::string>>& only_sites = std::nullopt,
                                               bool with_evidence = true, bool grouped = false);

// Reads the evidence of the devices `indexes` of `*s` (from each one's last raw record, one
// LastRecord query per device; entries without a device id are skipped). For a rendering that
// prints evidence for a few devices only (report::DevicesShownInDetail) after LoadSnapshot
// without evidence. Database errors pass through.
Status LoadDetailEvidence(inventory::Inventory& inv, report::InventorySnapshot* s, const std::vector<size_t>& indexes);

// The identification evidence of a raw scan record (a `phaseout scan` NDJSON line, as the
// inventory stores it): the entries of its top-level "evidence" array that are objects, with
// their text fields (probe, field, value, rule, claim; "" when absent or not a string) and port
// (0 unless an integer 0..65535). None when the record is not a JSON object or "evidence" is
// not an array. Reads the text once without building a document; gives what nlohmann-json's
// parser would (a later duplicate key wins). Pure; thread-safe.
std::vector<model::Evidence> RecordEvidence(std::string_view raw);

// The string value of the top-level member `name` of a JSON object text (an audit entry's
// before/after); "" when absent, not a string, or the text is not a JSON object. Pure.
std::string JsonTopLevelString(std::string_view text, std::string_view name);

}  // namespace phaseout::server
