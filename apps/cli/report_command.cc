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
#include "server/snapshot.h"

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
  // Evidence is printed by full reports only: CSV and JSON carry every device's (read in bulk),
  // HTML and Markdown the devices they show in detail (read below, once as_of is known).
  const bool detail_evidence = *kind == report::InventoryReportKind::kFull &&
                               (*format == report::InventoryReportFormat::kHtml ||
                                *format == report::InventoryReportFormat::kMarkdown);
  const bool all_evidence = *kind == report::InventoryReportKind::kFull && !detail_evidence;
  auto snapshot = server::LoadSnapshot(**inv, policy->id, f.department, f.site, db, std::nullopt, all_evidence);
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
  if (detail_evidence) {
    auto read = server::LoadDetailEvidence(**inv, &*snapshot, report::DevicesShownInDetail(*snapshot));
    if (!read) return Fail(kExitRuntime, read.error().message);
  }
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
