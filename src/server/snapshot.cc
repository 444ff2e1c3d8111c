// The inventory-to-report loader (moved from apps/cli/report_command.cc so the server shares it).
#include "server/snapshot.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "inventory/audit_read.h"
#include "inventory/inventory.h"

namespace phaseout::server {
namespace {

// The identification evidence of a raw scan record (a `phaseout scan` NDJSON line, as stored by
// the inventory): what was observed, by which probe, which rule read it. Entries that are not
// objects are skipped; a record that is not JSON gives none.
std::vector<model::Evidence> RecordEvidence(const std::string& raw) {
  std::vector<model::Evidence> out;
  if (raw.empty()) return out;
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  auto ev = j.find("evidence");
  if (ev == j.end() || !ev->is_array()) return out;
  auto text = [](const nlohmann::json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& e : *ev) {
    if (!e.is_object()) continue;
    model::Evidence x;
    x.probe = text(e, "probe");
    auto port = e.find("port");
    if (port != e.end() && port->is_number_unsigned() && port->get<uint64_t>() <= 65535) {
      x.port = static_cast<uint16_t>(port->get<uint64_t>());
    }
    x.field = text(e, "field");
    x.value = text(e, "value");
    x.rule = text(e, "rule");
    x.claim = text(e, "claim");
    out.push_back(std::move(x));
  }
  return out;
}

std::string JsonState(const std::string& text) {
  if (text.empty()) return "";
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  auto it = j.find("state");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<report::InventorySnapshot> LoadSnapshot(inventory::Inventory& inv, const std::string& policy_id,
                                               const std::string& department, const std::string& site,
                                               const std::string& db_label,
                                               const std::optional<std::vector<std::string>>& only_sites,
                                               bool with_evidence, bool grouped) {
  report::InventorySnapshot s;
  auto sites = inv.ListSites();
  if (!sites) return sites.error();
  std::map<std::string, inventory::Site> site_by_id;
  bool site_known = site.empty();
  for (const auto& x : *sites) {
    site_by_id[x.id] = x;
    site_known = site_known || x.id == site;
    if ((!site.empty() && x.id != site) || (!department.empty() && x.department != department)) continue;
    if (only_sites && std::find(only_sites->begin(), only_sites->end(), x.id) == only_sites->end()) continue;
    auto d = x.deadlines.find(policy_id);
    s.sites.push_back({x.id, x.name.empty() ? x.id : x.name, x.department, x.owner,
                       d == x.deadlines.end() ? "" : d->second});
  }
  if (!site_known) return MakeError(ErrorCode::kNotFound, "no site '" + site + "' in " + db_label);
  if (!department.empty()) {
    auto deps = inv.ListDepartments();
    if (!deps) return deps.error();
    bool found = false;
    for (const auto& d : *deps) found = found || d.id == department;
    if (!found) return MakeError(ErrorCode::kNotFound, "no department '" + department + "' in " + db_label);
  }
  inventory::DeviceFilter filter;
  filter.site = site;
  filter.department = department;
  filter.only_sites = only_sites;
  std::vector<inventory::DeviceGroup> groups;
  if (grouped) {
    // The devices without history counted in SQL; only those with history are read one by one.
    auto g = inv.CountDeviceGroups(filter);
    if (!g) return g.error();
    groups = std::move(*g);
    filter.with_audit_only = true;
    with_evidence = false;
  }
  auto devices = inv.ListDevices(filter);
  if (!devices) return devices.error();
  // The lifecycle history of every listed device. Few devices: one query each; many (the
  // overview of a whole organisation): the device entries of the audit log in pages, grouped
  // here, instead of one query per device.
  std::unordered_map<int64_t, std::vector<inventory::AuditEntry>> histories;
  constexpr size_t kPerDeviceBelow = 200;
  const bool bulk = devices->size() >= kPerDeviceBelow;
  if (bulk) {
    for (const auto& d : *devices) histories[d.id];
    int64_t after = 0;
    while (true) {
      auto page = inventory::ReadAuditLog(inv, after, 5000, /*devices_only=*/true);
      if (!page) return page.error();
      for (auto& e : *page) {
        after = e.seq;
        auto it = histories.find(e.device_id);
        if (it != histories.end()) it->second.push_back(std::move(e));
      }
      if (page->size() < 5000) break;
    }
  }
  // Likewise the evidence: the last raw record of every device in pages of 5000 (one query
  // each) instead of one query per device.
  std::unordered_map<int64_t, std::vector<model::Evidence>> evidence;
  if (with_evidence && bulk) {
    for (const auto& d : *devices) evidence[d.id];
    int64_t after = 0;
    while (true) {
      auto page = inv.LastRecords(after, 5000);
      if (!page) return page.error();
      for (const auto& r : *page) {
        after = r.device_id;
        auto it = evidence.find(r.device_id);
        if (it != evidence.end()) it->second = RecordEvidence(r.record);
      }
      if (page->size() < 5000) break;
    }
  }
  const size_t listed = devices->size();
  for (auto& g : groups) devices->push_back(std::move(g.device));  // after the listed devices
  for (size_t i = 0; i < devices->size(); ++i) {
    const inventory::DeviceRecord& d = (*devices)[i];
    report::SnapshotDevice x;
    if (i >= listed) x.weight = static_cast<uint64_t>(groups[i - listed].count);
    x.id = i >= listed ? "" : std::to_string(d.id);
    x.site = d.site;
    x.department = d.department;
    x.ip = d.ip;
    x.mac = d.mac;
    x.serial = d.serial;
    x.manufacturer = d.manufacturer;
    x.brand = d.brand;
    x.device_type = d.device_type;
    x.model = d.model;
    x.firmware = d.firmware;
    x.state = inventory::DeviceStateName(d.state);
    auto has = [&](const std::vector<std::string>& v) {
      for (const auto& p : v) if (p == policy_id) return true;
      return false;
    };
    x.verdict = has(d.prohibited) ? "prohibited" : has(d.review) ? "review" : d.manufacturer.empty() ? "" : "clear";
    x.deadline = d.target_date;
    if (x.deadline.empty()) {
      auto it = site_by_id.find(d.site);
      if (it != site_by_id.end()) {
        auto dl = it->second.deadlines.find(policy_id);
        if (dl != it->second.deadlines.end()) x.deadline = dl->second;
      }
    }
    x.first_seen = d.first_seen;
    x.last_seen = d.last_seen;
    x.replacement_model = d.replacement_model;
    x.waiver_expiry = d.waiver_expiry;
    if (!d.last_scan.empty()) x.sources.push_back("last seen by scan " + d.last_scan);
    if (!d.match_rule.empty()) x.sources.push_back("identity matched by " + d.match_rule);
    if (!d.reason.empty()) x.reason = d.reason;
    // The evidence of the record that last attached the device (kept verbatim by the store).
    if (with_evidence && bulk) {
      x.evidence = std::move(evidence[d.id]);
    } else if (with_evidence) {
      auto raw = inv.LastRecord(d.id);
      if (!raw) return raw.error();
      x.evidence = RecordEvidence(*raw);
    }
    std::vector<inventory::AuditEntry> own;
    const std::vector<inventory::AuditEntry>* history = &own;
    if (i >= listed) {
      // A group of devices without audit entries: only the first sighting below.
    } else if (bulk) {
      history = &histories[d.id];
    } else {
      auto h = inv.History(d.id);
      if (!h) return h.error();
      own = std::move(*h);
    }
    for (const auto& e : *history) {
      std::string to = JsonState(e.after);
      if (to.empty()) continue;  // not a lifecycle entry
      x.history.push_back({e.at, x.id, JsonState(e.before), to, e.actor,
                           e.action + (e.note.empty() ? "" : ": " + e.note)});
    }
    if ((x.history.empty() || !x.history.front().from_state.empty()) && !d.first_seen.empty()) {
      x.history.insert(x.history.begin(),
                       {d.first_seen, x.id, "", "found", "phaseout", "first sighting"});
    }
    s.devices.push_back(std::move(x));
  }
  return s;
}

}  // namespace phaseout::server
