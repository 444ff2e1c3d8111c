// `phaseout inventory`: list, show, set-state, waive, diff, ingest, rebuild, check, events,
// reviews, scans. Wiring only: every decision lives in src/inventory.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"
#include "core/csv_writer.h"
#include "core/json_dump.h"
#include "inventory/device_json.h"
#include "inventory/inventory.h"

namespace phaseout::cli {
namespace {

using nlohmann::json;
namespace inv = inventory;

struct InventoryFlags {
  std::string db;
  std::string format = "table";
  inv::DeviceFilter filter;
  int64_t device_id = 0;
  std::string state;
  inv::TransitionRequest request;
  std::string from, to, site;
  std::string file;
  std::string scan_id, agent, started_at, rules_version;
  std::vector<std::string> scope;
  std::string events_file;
  bool syslog = false;
  int64_t after = 0;
  bool all = false;
  std::string decision;  // reviews: "accept", "reject" or "" (list)
  int64_t review_id = 0;
};

int Fail(const std::string& sub, const Error& e) {
  std::fprintf(stderr, "phaseout inventory %s: %s\n", sub.c_str(), e.message.c_str());
  return ExitCodeFor(e);
}

bool CheckFormat(const std::string& sub, const std::string& format, int* rc) {
  if (format == "table" || format == "json" || format == "csv") return true;
  std::fprintf(stderr, "phaseout inventory %s: unknown format '%s' (table, json, csv)\n", sub.c_str(), format.c_str());
  *rc = kExitUsage;
  return false;
}

// Inventory cells come from devices and imported registers: the one CSV writer quotes them and
// guards formula starts (core/csv_writer.h).
std::string Csv(const std::string& s) { return CsvField(s); }

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

using inv::DeviceJson;  // the server API's device objects too

std::string Dump(const json& j) { return DumpJson(j, 2); }

void PrintDevices(const std::vector<inv::DeviceRecord>& devices, const std::string& format) {
  if (format == "json") {
    json arr = json::array();
    for (const auto& d : devices) arr.push_back(DeviceJson(d));
    std::cout << Dump(arr) << "\n";
    return;
  }
  if (format == "csv") {
    std::cout << "id,site,department,ip,mac,serial,manufacturer,brand,device_type,model,firmware,prohibited,review,"
                 "status,state,state_since,replacement_model,target_date,removed_by,waiver_expiry,overdue,"
                 "overdue_reason,first_seen,last_seen\n";
    for (const auto& d : devices) {
      std::cout << d.id << ',' << Csv(d.site) << ',' << Csv(d.department) << ',' << Csv(d.ip) << ',' << Csv(d.mac)
                << ',' << Csv(d.serial) << ',' << Csv(d.manufacturer) << ',' << Csv(d.brand) << ','
                << Csv(d.device_type) << ',' << Csv(d.model) << ',' << Csv(d.firmware) << ','
                << Csv(Join(d.prohibited)) << ',' << Csv(Join(d.review)) << ',' << d.status << ','
                << inv::DeviceStateName(d.state) << ',' << d.state_since << ',' << Csv(d.replacement_model) << ','
                << d.target_date << ',' << Csv(d.removed_by) << ',' << d.waiver_expiry << ','
                << (d.overdue ? "yes" : "no") << ',' << Csv(d.overdue_reason) << ',' << d.first_seen << ','
                << d.last_seen << "\n";
    }
    return;
  }
  std::cout << fmt::format("{:>6}  {:<12} {:<16} {:<17} {:<12} {:<18} {:<8} {:<20} {:<8} {}\n", "ID", "SITE", "IP",
                           "MAC", "MAKER", "MODEL", "STATUS", "STATE", "OVERDUE", "LAST SEEN");
  size_t unknown = 0, overdue = 0;
  for (const auto& d : devices) {
    std::cout << fmt::format("{:>6}  {:<12} {:<16} {:<17} {:<12} {:<18} {:<8} {:<20} {:<8} {}\n", d.id,
                             d.site.substr(0, 12), d.ip, d.mac.empty() ? "-" : d.mac,
                             d.manufacturer.empty() ? "(unknown)" : d.manufacturer.substr(0, 12),
                             d.model.empty() ? "-" : d.model.substr(0, 18), d.status, inv::DeviceStateName(d.state),
                             d.overdue ? "yes" : "", d.last_seen);
    unknown += d.status == "unknown";
    overdue += d.overdue;
  }
  std::cout << "\n" << devices.size() << " devices";
  if (overdue) std::cout << ", " << overdue << " overdue";
  if (unknown) std::cout << ", " << unknown << " with unknown maker (to be checked, not counted as clear)";
  std::cout << "\n";
}

int RunList(InventoryFlags& f) {
  int rc = kExitOk;
  if (!CheckFormat("list", f.format, &rc)) return rc;
  auto store = OpenInventoryOrReport("inventory list", f.db, &rc);
  if (!store) return rc;
  auto devices = store->ListDevices(f.filter);
  if (!devices) return Fail("list", devices.error());
  PrintDevices(*devices, f.format);
  return kExitOk;
}

int RunShow(InventoryFlags& f) {
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory show", f.db, &rc);
  if (!store) return rc;
  auto d = store->GetDevice(f.device_id);
  if (!d) return Fail("show", d.error());
  auto history = store->History(f.device_id);
  if (!history) return Fail("show", history.error());
  if (f.format == "json") {
    json j = DeviceJson(*d);
    j["history"] = json::array();
    for (const auto& e : *history) {
      j["history"].push_back({{"seq", e.seq}, {"at", e.at}, {"actor", e.actor}, {"action", e.action},
                              {"note", e.note}, {"before", json::parse(e.before, nullptr, false)},
                              {"after", json::parse(e.after, nullptr, false)}});
    }
    std::cout << Dump(j) << "\n";
    return kExitOk;
  }
  json j = DeviceJson(*d);
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string v = it->is_string() ? it->get<std::string>() : DumpJson(*it);
    if (v.empty() || v == "[]" || v == "\"\"") continue;
    std::cout << fmt::format("{:<18} {}\n", it.key(), v);
  }
  std::cout << "\nhistory:\n";
  for (const auto& e : *history) {
    json after = json::parse(e.after, nullptr, false);
    std::string state = after.is_object() ? after.value("state", std::string()) : "";
    std::cout << fmt::format("  #{} {} {} {} -> {}: {}\n", e.seq, e.at, e.actor, e.action, state, e.note);
  }
  return kExitOk;
}

int RunSetState(InventoryFlags& f, bool waive) {
  std::string sub = waive ? "waive" : "set-state";
  if (waive) {
    f.request.to = inv::DeviceState::kWaived;
  } else {
    auto s = inv::ParseDeviceState(f.state);
    if (!s) return Fail(sub, s.error());
    f.request.to = *s;
  }
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory " + sub, f.db, &rc);
  if (!store) return rc;
  auto d = store->SetState(f.device_id, f.request);
  if (!d) return Fail(sub, d.error());
  std::printf("device %lld: %s%s\n", static_cast<long long>(d->id), inv::DeviceStateName(d->state),
              d->state == inv::DeviceState::kWaived ? (" until " + d->waiver_expiry).c_str() : "");
  return kExitOk;
}

int RunIngest(InventoryFlags& f) {
  if (f.site.empty()) {
    std::fprintf(stderr, "phaseout inventory ingest: --site is required (identity is resolved within a site)\n");
    return kExitUsage;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (f.file != "-") {
    file.open(f.file, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "phaseout inventory ingest: cannot read %s\n", f.file.c_str());
      return kExitUsage;
    }
    in = &file;
  }
  // Without --scan-id the key is the SHA-256 of the content, so ingesting the same file again
  // changes nothing. That needs the content first: read it once into a temporary list of lines
  // only when no id was given and the input is stdin; files are hashed in a first pass.
  std::string key = f.scan_id;
  if (key.empty()) {
    inv::Sha256Stream h;
    std::string line;
    if (in == &std::cin) {
      std::fprintf(stderr, "phaseout inventory ingest: reading stdin needs --scan-id (the idempotency key)\n");
      return kExitUsage;
    }
    char buf[1 << 16];
    while (file.read(buf, sizeof(buf)) || file.gcount() > 0) h.Update(std::string_view(buf, file.gcount()));
    file.clear();
    file.seekg(0);
    key = "sha256:" + h.HexDigest();
  }
  // The rule-set version comes from the scan's own records (`ruleset` of its first line, a
  // scan_start or device record of `phaseout scan`); --rules-version is for inputs without it
  // and may not contradict it. The first line is read here and ingested first below.
  std::string first_line;
  bool have_first = false;
  int64_t lines_to_first = 0;
  while (!have_first && std::getline(*in, first_line)) {
    ++lines_to_first;
    if (!first_line.empty() && first_line.back() == '\r') first_line.pop_back();
    have_first = first_line.find_first_not_of(" \t") != std::string::npos;
  }
  std::string recorded_ruleset;
  if (have_first) {
    json first = json::parse(first_line, nullptr, /*allow_exceptions=*/false);
    if (first.is_object() && first.contains("ruleset") && first["ruleset"].is_string()) {
      recorded_ruleset = first["ruleset"].get<std::string>();
    }
  }
  if (!f.rules_version.empty() && !recorded_ruleset.empty() && f.rules_version != recorded_ruleset) {
    std::fprintf(stderr,
                 "phaseout inventory ingest: --rules-version %s contradicts the scan's own ruleset %s; "
                 "nothing was committed\n",
                 f.rules_version.c_str(), recorded_ruleset.c_str());
    return kExitUsage;
  }
  inv::ScanMeta meta;
  meta.scan_key = key;
  meta.site = f.site;
  meta.agent = f.agent;
  meta.started_at = f.started_at;
  meta.rules_version = recorded_ruleset.empty() ? f.rules_version : recorded_ruleset;
  meta.source = f.file == "-" ? "stdin" : f.file;
  for (const auto& s : f.scope) {
    auto c = inv::Cidr::Parse(s);
    if (!c) return Fail("ingest", c.error());
    meta.scope.push_back(*c);
  }
  if (!meta.started_at.empty() && (meta.started_at.size() < 10 || !inv::IsIsoDate(meta.started_at.substr(0, 10)))) {
    std::fprintf(stderr, "phaseout inventory ingest: --started-at must be ISO 8601 UTC, e.g. 2026-12-01T06:00:00Z\n");
    return kExitUsage;
  }
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory ingest", f.db, &rc);
  if (!store) return rc;
  auto ingest = store->BeginIngest(meta);
  if (!ingest) return Fail("ingest", ingest.error());
  std::string line;
  // Line numbers in messages count from the file's first line, blank lines included.
  int64_t line_no = have_first ? lines_to_first - 1 : 0, seq = 0;
  bool pending_first = have_first;
  while (pending_first || std::getline(*in, line)) {
    if (pending_first) {
      line = first_line;
      pending_first = false;
    }
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Status s = (*ingest)->AddLine(line, ++seq);
    if (!s.ok()) {
      std::fprintf(stderr, "phaseout inventory ingest: %s:%lld: %s; nothing was committed\n", meta.source.c_str(),
                   static_cast<long long>(line_no), s.error().message.c_str());
      return s.error().code == ErrorCode::kParse ? kExitRuntime : ExitCodeFor(s.error());
    }
  }
  if (in->bad()) {
    std::fprintf(stderr, "phaseout inventory ingest: read error on %s; nothing was committed\n", meta.source.c_str());
    return kExitRuntime;
  }
  auto summary = (*ingest)->Commit();
  if (!summary) return Fail("ingest", summary.error());
  if (summary->already_ingested) {
    std::printf("scan %s was already ingested: nothing changed\n", key.c_str());
    return kExitOk;
  }
  std::printf(
      "scan %s at site %s: %lld records, %lld new devices, %lld matched, %lld duplicate identities, %lld merge "
      "reviews opened, %lld verified removed, %lld missing, %lld regressions, %lld reappeared\n",
      key.c_str(), f.site.c_str(), static_cast<long long>(summary->records),
      static_cast<long long>(summary->new_devices), static_cast<long long>(summary->matched_devices),
      static_cast<long long>(summary->duplicates), static_cast<long long>(summary->reviews_opened),
      static_cast<long long>(summary->verified_removed), static_cast<long long>(summary->went_missing),
      static_cast<long long>(summary->regressions), static_cast<long long>(summary->reappeared));
  if (summary->duplicates > 0) {
    std::fprintf(stderr,
                 "phaseout inventory ingest: warning: %lld records claimed a MAC or serial already seen at another "
                 "address in this scan; kept as separate devices (see `phaseout inventory reviews`)\n",
                 static_cast<long long>(summary->duplicates));
  }
  for (const auto& e : summary->events) {
    if (e.severity == "warning") std::printf("  %s: %s\n", e.kind.c_str(), e.message.c_str());
  }
  if (!EmitIngestEvents("inventory ingest", *store, *summary, f.events_file, f.syslog)) return kExitRuntime;
  return kExitOk;
}

int RunDiff(InventoryFlags& f) {
  int rc = kExitOk;
  if (!CheckFormat("diff", f.format, &rc)) return rc;
  auto store = OpenInventoryOrReport("inventory diff", f.db, &rc);
  if (!store) return rc;
  auto d = store->Diff(f.site, f.from, f.to);
  if (!d) return Fail("diff", d.error());
  auto items = [](const std::vector<inv::ScanDiff::Item>& v) {
    json arr = json::array();
    for (const auto& i : v) {
      arr.push_back({{"device", i.device_id}, {"ip", i.ip}, {"manufacturer", i.manufacturer}, {"model", i.model},
                     {"change", i.change}});
    }
    return arr;
  };
  if (f.format == "json") {
    std::cout << Dump({{"site", d->site}, {"from", d->from_scan}, {"to", d->to_scan},
                       {"appeared", items(d->appeared)}, {"disappeared", items(d->disappeared)},
                       {"changed", items(d->changed)}})
              << "\n";
    return kExitOk;
  }
  if (f.format == "csv") std::cout << "change,device,ip,manufacturer,model,detail\n";
  else std::cout << "site " << d->site << ": scan " << d->from_scan << " -> " << d->to_scan << "\n";
  auto print = [&](const char* what, const std::vector<inv::ScanDiff::Item>& v) {
    for (const auto& i : v) {
      if (f.format == "csv") {
        std::cout << what << ',' << i.device_id << ',' << i.ip << ',' << Csv(i.manufacturer) << ',' << Csv(i.model)
                  << ',' << Csv(i.change) << "\n";
      } else {
        std::cout << fmt::format("  {:<12} device {:>6}  {:<16} {:<12} {:<18} {}\n", what, i.device_id, i.ip,
                                 i.manufacturer.empty() ? "(unknown)" : i.manufacturer, i.model,
                                 std::string(what) == "changed" ? i.change : "");
      }
    }
  };
  print("appeared", d->appeared);
  print("disappeared", d->disappeared);
  print("changed", d->changed);
  if (f.format == "table") {
    std::cout << d->appeared.size() << " appeared, " << d->disappeared.size() << " disappeared, " << d->changed.size()
              << " changed\n";
  }
  return kExitOk;
}

int RunRebuild(InventoryFlags& f) {
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory rebuild", f.db, &rc);
  if (!store) return rc;
  auto r = store->Rebuild(f.request.actor, f.request.note);
  if (!r) return Fail("rebuild", r.error());
  std::printf("rebuilt from %lld scans (%lld records): %lld devices; %lld recorded decisions re-applied, %lld could "
              "not be (their device no longer matches; see the audit log)\n",
              static_cast<long long>(r->scans), static_cast<long long>(r->records), static_cast<long long>(r->devices),
              static_cast<long long>(r->actions_reapplied), static_cast<long long>(r->actions_skipped));
  return kExitOk;
}

int RunCheck(InventoryFlags& f) {
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory check", f.db, &rc);
  if (!store) return rc;
  auto events = store->CheckDeadlines();
  if (!events) return Fail("check", events.error());
  for (const auto& e : *events) std::printf("%s: %s\n", e.kind.c_str(), e.message.c_str());
  std::printf("%zu new events\n", events->size());
  if (!EmitEvents("inventory check", *events, f.events_file, f.syslog)) return kExitRuntime;
  return kExitOk;
}

int RunEvents(InventoryFlags& f) {
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory events", f.db, &rc);
  if (!store) return rc;
  auto events = store->Events(f.after);
  if (!events) return Fail("events", events.error());
  for (const auto& e : *events) std::cout << inv::EventJsonLine(e);
  if (f.syslog && !EmitEvents("inventory events", *events, "", true)) return kExitRuntime;
  return kExitOk;
}

int RunReviews(InventoryFlags& f) {
  int rc = kExitOk;
  if (!f.decision.empty() && f.review_id <= 0) {
    std::fprintf(stderr, "phaseout inventory reviews: %s needs the review id (phaseout inventory reviews %s ID "
                 "--actor NAME --note TEXT)\n", f.decision.c_str(), f.decision.c_str());
    return kExitUsage;
  }
  auto store = OpenInventoryOrReport("inventory reviews", f.db, &rc);
  if (!store) return rc;
  if (!f.decision.empty()) {
    auto decided = store->DecideReview(f.review_id, f.decision == "accept", f.request.actor, f.request.note);
    if (!decided) return Fail("reviews", decided.error());
    if (decided->status == "accepted") {
      std::printf("review %lld accepted: device %lld merged into device %lld (which keeps its id and history)\n",
                  static_cast<long long>(decided->id), static_cast<long long>(decided->device_b),
                  static_cast<long long>(decided->device_a));
    } else {
      std::printf("review %lld rejected: devices %lld and %lld stay separate\n", static_cast<long long>(decided->id),
                  static_cast<long long>(decided->device_a), static_cast<long long>(decided->device_b));
    }
    return kExitOk;
  }
  auto reviews = store->ListReviews(!f.all);
  if (!reviews) return Fail("reviews", reviews.error());
  for (const auto& r : *reviews) {
    std::printf("review %lld [%s] site %s: device %lld vs device %lld: %s (scan %s)\n", static_cast<long long>(r.id),
                r.status.c_str(), r.site.c_str(), static_cast<long long>(r.device_a),
                static_cast<long long>(r.device_b), r.reason.c_str(), r.scan.c_str());
  }
  std::printf("%zu merge reviews\n", reviews->size());
  return kExitOk;
}

int RunScans(InventoryFlags& f) {
  int rc = kExitOk;
  auto store = OpenInventoryOrReport("inventory scans", f.db, &rc);
  if (!store) return rc;
  auto scans = store->ListScans(f.site);
  if (!scans) return Fail("scans", scans.error());
  for (const auto& s : *scans) {
    std::printf("%s  %-12s %-22s %8lld records %s  %s  rules %s\n", s.started_at.c_str(), s.site.c_str(),
                s.key.c_str(), static_cast<long long>(s.records), s.complete ? "complete  " : "incomplete",
                s.scope.c_str(), s.rules_version.empty() ? "-" : s.rules_version.c_str());
  }
  return kExitOk;
}

void AddTransitionOptions(CLI::App* cmd, InventoryFlags* f) {
  cmd->add_option("--actor", f->request.actor, "Who makes the change (required)")->required();
  cmd->add_option("--note", f->request.note, "Why (required)")->required();
}

}  // namespace

void AddInventoryCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<InventoryFlags>();
  auto* cmd = app.add_subcommand("inventory", "The inventory of devices per site, their lifecycle and history");
  cmd->require_subcommand(1);
  cmd->footer(
      "States: found, confirmed, replacement-planned, removed, verified-removed, waived, not-restricted, missing.\n"
      "Exit codes: 0 ok, 1 runtime error (database, unreadable input), 2 usage error (bad flags, unknown site or "
      "device, transition not allowed).");

  auto* list = cmd->add_subcommand("list", "List devices (filters combine)");
  AddDbOption(list, &f->db);
  list->add_option("--site", f->filter.site, "Only this site");
  list->add_option("--department", f->filter.department, "Only this department");
  list->add_option("--policy", f->filter.policy, "Only devices with a prohibited or review verdict under this policy");
  list->add_option("--state", f->filter.state, "Only devices in this state");
  list->add_option("--maker", f->filter.maker, "Only this manufacturer (vendor id)");
  list->add_option("--brand", f->filter.brand, "Only this brand (vendor id)");
  list->add_option("--status", f->filter.status, "covered|review|unknown|clear (unknown: maker to be checked)");
  list->add_flag("--overdue", f->filter.overdue_only, "Only overdue devices (deadline, target date or waiver passed)");
  list->add_option("-f,--format", f->format, "table|json|csv")->capture_default_str();
  list->callback([f, exit_code] { *exit_code = RunList(*f); });

  auto* show = cmd->add_subcommand("show", "Show one device with its history");
  AddDbOption(show, &f->db);
  show->add_option("id", f->device_id, "Device id")->required();
  show->add_option("-f,--format", f->format, "table|json")->capture_default_str();
  show->callback([f, exit_code] { *exit_code = RunShow(*f); });

  auto* set = cmd->add_subcommand("set-state", "Move a device to another lifecycle state (validated and audited)");
  AddDbOption(set, &f->db);
  set->add_option("id", f->device_id, "Device id")->required();
  set->add_option("state", f->state, "Target state")->required();
  AddTransitionOptions(set, f.get());
  set->add_option("--replacement", f->request.replacement_model, "replacement-planned: the replacement model");
  set->add_option("--target-date", f->request.target_date, "replacement-planned: target date YYYY-MM-DD");
  set->add_option("--by", f->request.removed_by, "removed: who removed it (default: the actor)");
  set->add_option("--reason", f->request.reason, "not-restricted: why (e.g. identification corrected)");
  set->callback([f, exit_code] { *exit_code = RunSetState(*f, false); });

  auto* waive = cmd->add_subcommand("waive", "Grant a waiver (approver, reason, expiry)");
  AddDbOption(waive, &f->db);
  waive->add_option("id", f->device_id, "Device id")->required();
  AddTransitionOptions(waive, f.get());
  waive->add_option("--approver", f->request.approver, "Who approved the waiver")->required();
  waive->add_option("--reason", f->request.reason, "Why the device may stay")->required();
  waive->add_option("--expires", f->request.expiry, "Last day of the waiver, YYYY-MM-DD")->required();
  waive->callback([f, exit_code] { *exit_code = RunSetState(*f, true); });

  auto* diff = cmd->add_subcommand("diff", "What appeared, disappeared and changed between two scans of a site");
  AddDbOption(diff, &f->db);
  diff->add_option("--site", f->site, "Site id")->required();
  diff->add_option("--from", f->from, "Earlier scan id (default: the second latest complete scan)");
  diff->add_option("--to", f->to, "Later scan id (default: the latest complete scan)");
  diff->add_option("-f,--format", f->format, "table|json|csv")->capture_default_str();
  diff->callback([f, exit_code] { *exit_code = RunDiff(*f); });

  auto* ingest = cmd->add_subcommand("ingest", "Record `phaseout scan` NDJSON results against a site");
  AddDbOption(ingest, &f->db);
  ingest->add_option("file", f->file, "NDJSON file from `phaseout scan --format ndjson` ('-' for stdin)")->required();
  ingest->add_option("--site", f->site, "Site the scan covered (required)");
  ingest->add_option("--scan-id", f->scan_id, "Idempotency key (default: SHA-256 of the file)");
  ingest->add_option("--agent", f->agent, "Host or agent that scanned");
  ingest->add_option("--started-at", f->started_at, "When the scan ran, ISO 8601 UTC (default: now)");
  ingest->add_option("--rules-version", f->rules_version,
                     "Rule-set version the scan used, for inputs whose records carry no `ruleset` (default: the "
                     "first record's `ruleset`)");
  ingest->add_option("--scope", f->scope, "Blocks the scan covered (default: the site's scopes)");
  ingest->add_option("--events", f->events_file, "Append raised events as JSON lines to FILE ('-': stdout)");
  ingest->add_flag("--syslog", f->syslog, "Also send raised events to the local syslog (RFC 5424)");
  ingest->callback([f, exit_code] { *exit_code = RunIngest(*f); });

  auto* rebuild = cmd->add_subcommand("rebuild", "Re-derive every device from the raw scan events in time order");
  AddDbOption(rebuild, &f->db);
  AddTransitionOptions(rebuild, f.get());
  rebuild->callback([f, exit_code] { *exit_code = RunRebuild(*f); });

  auto* check = cmd->add_subcommand("check", "Expire waivers and raise deadline-passed events");
  AddDbOption(check, &f->db);
  check->add_option("--events", f->events_file, "Append raised events as JSON lines to FILE ('-': stdout)");
  check->add_flag("--syslog", f->syslog, "Also send raised events to the local syslog (RFC 5424)");
  check->callback([f, exit_code] { *exit_code = RunCheck(*f); });

  auto* events = cmd->add_subcommand("events", "Print recorded events as JSON lines");
  AddDbOption(events, &f->db);
  events->add_option("--after", f->after, "Only events with a larger id");
  events->add_flag("--syslog", f->syslog, "Also send them to the local syslog (RFC 5424)");
  events->callback([f, exit_code] { *exit_code = RunEvents(*f); });

  auto* reviews = cmd->add_subcommand("reviews", "Possible duplicates kept apart until someone decides");
  AddDbOption(reviews, &f->db);
  reviews->add_flag("--all", f->all, "Include decided reviews");
  reviews->add_option("decision", f->decision, "accept (the two are one device: merge) or reject (keep apart)")
      ->check(CLI::IsMember({"accept", "reject"}));
  reviews->add_option("id", f->review_id, "The review to decide");
  reviews->add_option("--actor", f->request.actor, "Who decides (required with accept/reject)");
  reviews->add_option("--note", f->request.note, "Why (required with accept/reject)");
  reviews->callback([f, exit_code] { *exit_code = RunReviews(*f); });

  auto* scans = cmd->add_subcommand("scans", "Scans recorded, oldest first");
  AddDbOption(scans, &f->db);
  scans->add_option("--site", f->site, "Only this site");
  scans->callback([f, exit_code] { *exit_code = RunScans(*f); });
}

}  // namespace phaseout::cli
