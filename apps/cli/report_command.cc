// `phaseout report`: the phase-out report for one policy from the inventory (counts by
// department, site, maker, brand, type and state; deadlines; burn-down; per-device evidence and
// history), the FAR 52.204-25(d) notice, or the programme-office status table. Wiring only: the
// loader below fills report::InventorySnapshot from the inventory API; report/ renders it.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "engine/knowledge.h"
#include "inventory/inventory.h"
#include "report/inventory_report.h"

namespace phaseout::cli {
namespace {

struct ReportFlags {
  std::string policy;
  std::string department;
  std::string site;
  std::string format = "html";
  std::string kind = "full";
  std::string output;
  std::string db;
  std::string as_of;
  std::string data_dir;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "phaseout report: %s\n", message.c_str());
  return code;
}

std::string UtcNow(const char* layout) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), layout, &tm);
  return buf;
}

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

// Fills a snapshot from the inventory: the devices of the selected site/department, their
// verdict under `policy_id` (from the policies recorded at their last sighting), their deadline
// (replacement target date, else the site's deadline for the policy) and their history (the
// audit entries about them; the first sighting when the log starts later).
Result<report::InventorySnapshot> LoadSnapshot(inventory::Inventory& inv, const std::string& policy_id,
                                               const std::string& department, const std::string& site,
                                               const std::string& db_label) {
  report::InventorySnapshot s;
  auto sites = inv.ListSites();
  if (!sites) return sites.error();
  std::map<std::string, inventory::Site> site_by_id;
  bool site_known = site.empty();
  for (const auto& x : *sites) {
    site_by_id[x.id] = x;
    site_known = site_known || x.id == site;
    if ((!site.empty() && x.id != site) || (!department.empty() && x.department != department)) continue;
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
  auto devices = inv.ListDevices(filter);
  if (!devices) return devices.error();
  for (const auto& d : *devices) {
    report::SnapshotDevice x;
    x.id = std::to_string(d.id);
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
    auto raw = inv.LastRecord(d.id);
    if (!raw) return raw.error();
    x.evidence = RecordEvidence(*raw);
    auto history = inv.History(d.id);
    if (!history) return history.error();
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

int RunReport(const ReportFlags& f) {
  auto format = report::ParseInventoryReportFormat(f.format);
  if (!format) return Fail(kExitUsage, format.error().message);
  auto kind = report::ParseInventoryReportKind(f.kind);
  if (!kind) return Fail(kExitUsage, kind.error().message);
  if (!f.as_of.empty() && !inventory::IsIsoDate(f.as_of)) {
    return Fail(kExitUsage, "--as-of wants a date YYYY-MM-DD, got '" + f.as_of + "'");
  }
  auto knowledge = engine::LoadKnowledge(f.data_dir);
  if (!knowledge) return Fail(kExitUsage, knowledge.error().message);
  const policy::Policy* policy = knowledge->policies->Find(f.policy);
  if (policy == nullptr) {
    return Fail(kExitUsage, "unknown policy '" + f.policy + "' (see `phaseout policies list`)");
  }
  std::string db = f.db.empty() ? inventory::DefaultStoreLocation() : f.db;
  auto inv = inventory::Inventory::Open(db);
  if (!inv) {
    return Fail(inv.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime,
                "cannot open the inventory " + db + ": " + inv.error().message);
  }
  auto snapshot = LoadSnapshot(**inv, policy->id, f.department, f.site, db);
  if (!snapshot) {
    return Fail(snapshot.error().code == ErrorCode::kNotFound ? kExitUsage : kExitRuntime,
                snapshot.error().message);
  }
  snapshot->policy_id = policy->id;
  snapshot->policy_title = policy->title;
  snapshot->as_of = f.as_of.empty() ? UtcNow("%Y-%m-%d") : f.as_of;
  snapshot->generated_at = UtcNow("%Y-%m-%dT%H:%M:%SZ");
  snapshot->department_filter = f.department;
  snapshot->site_filter = f.site;
  auto scans = (*inv)->ListScans(f.site);
  snapshot->data_source = "inventory " + (inventory::IsPostgresLocation(db) ? std::string("(PostgreSQL)") : db) +
                          ", " + std::to_string(snapshot->sites.size()) + " sites, " +
                          (scans ? std::to_string(scans->size()) : std::string("?")) + " scans recorded";

  std::string tmp = f.output.empty() ? "" : f.output + ".tmp";
  std::ofstream file;
  if (!f.output.empty()) {
    file.open(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(kExitRuntime, "cannot write " + tmp);
  }
  std::ostream& out = f.output.empty() ? std::cout : file;
  report::WriteInventoryReport(out, *snapshot, *format, *kind);
  out.flush();
  if (!out) {
    if (!tmp.empty()) std::remove(tmp.c_str());
    return Fail(kExitRuntime, "writing the report failed");
  }
  if (!f.output.empty()) {
    file.close();
    if (std::rename(tmp.c_str(), f.output.c_str()) != 0) {
      std::remove(tmp.c_str());
      return Fail(kExitRuntime, "cannot write " + f.output);
    }
    std::fprintf(stderr, "phaseout report: wrote %s (%zu devices)\n", f.output.c_str(), snapshot->devices.size());
  }
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  auto* cmd = app.add_subcommand("report", "Phase-out report for one policy from the inventory");
  cmd->footer(
      "Kinds: full (status, counts, deadlines, burn-down, devices with evidence and history, "
      "notices), notice (FAR 52.204-25(d) fields per covered device), status (units found, "
      "removed, verified, waived, remaining, overdue per department and site).\n"
      "HTML is one self-contained file (no scripts, fonts or images from elsewhere) that prints "
      "well. Exit codes: 0 written, 1 runtime error, 2 usage error.");
  cmd->add_option("--policy", flags->policy, "Policy id (see `phaseout policies list`)")->required();
  cmd->add_option("--department", flags->department, "Only this department (id)");
  cmd->add_option("--site", flags->site, "Only this site (id)");
  cmd->add_option("-f,--format", flags->format, "html|md|csv|json")->capture_default_str();
  cmd->add_option("--kind", flags->kind, "full|notice|status")->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--db", flags->db, "Inventory database (path or postgresql://...; default $PHASEOUT_DB or the per-user location)");
  cmd->add_option("--as-of", flags->as_of, "Date deadlines are compared with (YYYY-MM-DD; default today, UTC)");
  cmd->add_option("--data-dir", flags->data_dir, "phaseout data directory (policies)");
  cmd->callback([flags, exit_code] { *exit_code = RunReport(*flags); });
}

}  // namespace phaseout::cli
