// `phaseout sites import|list|show`: the organisation (departments > sites, scopes, owners,
// policy deadlines) the inventory resolves identities within.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"
#include "core/json_dump.h"
#include "inventory/inventory.h"

namespace phaseout::cli {
namespace {

struct SitesFlags {
  std::string db, file, actor, note, id, format = "table";
};

nlohmann::json SiteJson(const inventory::Site& s) {
  return {{"id", s.id},         {"name", s.name},
          {"department", s.department}, {"owner", s.owner},
          {"location", s.location},     {"scopes", inventory::ScopeListToString(s.scopes)},
          {"deadlines", s.deadlines}};
}

int RunImport(const SitesFlags& f) {
  auto file = inventory::LoadSitesFile(f.file);
  if (!file) {
    std::fprintf(stderr, "phaseout sites import: %s\n", file.error().message.c_str());
    return ExitCodeFor(file.error());
  }
  int rc = kExitOk;
  auto inv = OpenInventoryOrReport("sites import", f.db, &rc);
  if (!inv) return rc;
  if (Status s = inv->ImportSites(*file, f.actor, f.note.empty() ? "sites file " + f.file + " imported" : f.note);
      !s.ok()) {
    std::fprintf(stderr, "phaseout sites import: %s\n", s.error().message.c_str());
    return ExitCodeFor(s.error());
  }
  std::printf("imported %zu departments and %zu sites into %s\n", file->departments.size(), file->sites.size(),
              inv->store().description().c_str());
  return kExitOk;
}

int RunList(const SitesFlags& f, bool one) {
  int rc = kExitOk;
  auto inv = OpenInventoryOrReport(one ? "sites show" : "sites list", f.db, &rc);
  if (!inv) return rc;
  auto sites = inv->ListSites();
  if (!sites) {
    std::fprintf(stderr, "phaseout sites: %s\n", sites.error().message.c_str());
    return ExitCodeFor(sites.error());
  }
  std::vector<inventory::Site> shown;
  for (const auto& s : *sites) {
    if (!one || s.id == f.id) shown.push_back(s);
  }
  if (one && shown.empty()) {
    std::fprintf(stderr, "phaseout sites show: no site '%s'\n", f.id.c_str());
    return kExitUsage;
  }
  if (f.format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : shown) arr.push_back(SiteJson(s));
    std::cout << DumpJson(one ? arr[0] : arr, 2) << "\n";
    return kExitOk;
  }
  if (f.format != "table") {
    std::fprintf(stderr, "phaseout sites: unknown format '%s' (table, json)\n", f.format.c_str());
    return kExitUsage;
  }
  if (one) {
    const auto& s = shown[0];
    std::cout << fmt::format("site        {}\nname        {}\ndepartment  {}\nowner       {}\nlocation    {}\nscopes      {}\n",
                             s.id, s.name, s.department, s.owner, s.location, inventory::ScopeListToString(s.scopes));
    for (const auto& [policy, date] : s.deadlines) std::cout << fmt::format("deadline    {} {}\n", policy, date);
    inventory::DeviceFilter filter;
    filter.site = s.id;
    auto devices = inv->ListDevices(filter);
    if (devices) {
      size_t covered = 0, open = 0, overdue = 0;
      for (const auto& d : *devices) {
        covered += d.status == "covered";
        open += d.status == "covered" && inventory::IsOpenState(d.state);
        overdue += d.overdue;
      }
      std::cout << fmt::format("devices     {} ({} covered, {} of them not yet removed, {} overdue)\n",
                               devices->size(), covered, open, overdue);
    }
    return kExitOk;
  }
  std::cout << fmt::format("{:<14} {:<16} {:<28} {:<30} {}\n", "DEPARTMENT", "SITE", "NAME", "SCOPES", "DEADLINES");
  for (const auto& s : shown) {
    std::string dl;
    for (const auto& [policy, date] : s.deadlines) dl += (dl.empty() ? "" : ", ") + policy + " " + date;
    std::cout << fmt::format("{:<14} {:<16} {:<28} {:<30} {}\n", s.department, s.id, s.name.substr(0, 28),
                             inventory::ScopeListToString(s.scopes), dl);
  }
  std::cout << shown.size() << " sites\n";
  return kExitOk;
}

}  // namespace

void AddSitesCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<SitesFlags>();
  auto* cmd = app.add_subcommand("sites", "Departments and sites: address scopes, owners, policy deadlines");
  cmd->require_subcommand(1);
  cmd->footer("Sites file format: docs/inventory.md. Exit codes: 0 ok, 1 runtime error, 2 usage error "
              "(bad file, unknown site).");
  auto* imp = cmd->add_subcommand("import", "Add or update departments and sites from a sites file (YAML)");
  AddDbOption(imp, &f->db);
  imp->add_option("file", f->file, "Sites file")->required();
  imp->add_option("--actor", f->actor, "Who imports it (recorded in the audit log)")->required();
  imp->add_option("--note", f->note, "Why (default: names the file)");
  imp->callback([f, exit_code] { *exit_code = RunImport(*f); });
  auto* list = cmd->add_subcommand("list", "List sites by department");
  AddDbOption(list, &f->db);
  list->add_option("-f,--format", f->format, "table|json")->capture_default_str();
  list->callback([f, exit_code] { *exit_code = RunList(*f, false); });
  auto* show = cmd->add_subcommand("show", "Show one site with its device counts");
  AddDbOption(show, &f->db);
  show->add_option("id", f->id, "Site id")->required();
  show->add_option("-f,--format", f->format, "table|json")->capture_default_str();
  show->callback([f, exit_code] { *exit_code = RunList(*f, true); });
}

}  // namespace phaseout::cli
