// `phaseout lists`: imports external screening lists (trade.gov CSL CSV, OpenSanctions
// simplified CSV, FollowTheMoney JSON lines) as entities tied to a policy, and shows what is
// stored. Lists live under $PHASEOUT_HOME/lists (see docs/screening.md). No network access.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "apps/cli/commands.h"
#include "screening/list_import.h"
#include "screening/screening_context.h"

namespace phaseout::cli {
namespace {

struct ImportFlags {
  std::string file;
  std::string policy;
  std::string format;
  std::string name;
  std::string data_dir;
  bool force = false;
};

struct ShowFlags {
  std::string policy;
};

int RunImport(const ImportFlags& flags) {
  std::optional<screening::ListFormat> format;
  if (!flags.format.empty()) {
    auto f = screening::ParseListFormat(flags.format);
    if (!f) {
      std::fprintf(stderr, "phaseout lists import: %s\n", f.error().message.c_str());
      return kExitUsage;
    }
    format = *f;
  }
  auto ctx = screening::ScreeningContext::Load(flags.data_dir);
  if (!ctx) {
    std::fprintf(stderr, "phaseout lists import: %s\n", ctx.error().message.c_str());
    return kExitRuntime;
  }
  if (!ctx->policies->Find(flags.policy)) {
    auto sel = ctx->policies->Select({flags.policy});
    std::fprintf(stderr, "phaseout lists import: %s\n", sel ? "unknown policy" : sel.error().message.c_str());
    return kExitUsage;
  }
  std::ifstream in(flags.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "phaseout lists import: %s: cannot open\n", flags.file.c_str());
    return kExitRuntime;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  if (!format) {
    auto f = screening::DetectListFormat(data);
    if (!f) {
      std::fprintf(stderr, "phaseout lists import: %s: %s\n", flags.file.c_str(), f.error().message.c_str());
      return kExitRuntime;
    }
    format = *f;
  }
  std::string name = flags.name.empty() ? screening::ListNameFromPath(flags.file) : screening::ListNameFromPath(flags.name);
  auto parsed = screening::ParseList(data, *format, name, flags.policy);
  if (!parsed) {
    std::fprintf(stderr, "phaseout lists import: %s: %s; nothing stored\n", flags.file.c_str(),
                 parsed.error().message.c_str());
    return kExitRuntime;
  }
  if (!parsed->errors.empty()) {
    for (const auto& e : parsed->errors) std::fprintf(stderr, "phaseout lists import: %s: %s\n", flags.file.c_str(), e.c_str());
    std::fprintf(stderr, "phaseout lists import: %zu bad row(s); nothing stored (the existing list, if any, is kept)\n",
                 parsed->errors.size());
    return kExitRuntime;
  }
  if (parsed->entities.empty()) {
    std::fprintf(stderr, "phaseout lists import: %s: no entities found; nothing stored\n", flags.file.c_str());
    return kExitRuntime;
  }
  auto root = screening::ListsRoot();
  if (!root) {
    std::fprintf(stderr, "phaseout lists import: %s\n", root.error().message.c_str());
    return kExitRuntime;
  }
  screening::StoredListInfo info;
  info.policy = flags.policy;
  info.name = name;
  info.format = screening::ListFormatName(*format);
  info.source_file = flags.file;
  info.entities = parsed->entities.size();
  Status st = screening::SaveList(*root, info, parsed->entities, flags.force);
  if (!st.ok()) {
    std::fprintf(stderr, "phaseout lists import: %s\n", st.error().message.c_str());
    return kExitRuntime;
  }
  std::printf("imported %zu entities (%llu non-entity rows skipped) from %s as list '%s' for policy %s into %s/%s/%s.jsonl\n",
              parsed->entities.size(), static_cast<unsigned long long>(parsed->skipped), flags.file.c_str(),
              name.c_str(), flags.policy.c_str(), root->c_str(), flags.policy.c_str(), name.c_str());
  if (parsed->merged > 0) {
    std::printf("merged %llu repeated row(s) that gave the same id and name\n",
                static_cast<unsigned long long>(parsed->merged));
  }
  return kExitOk;
}

int RunShow(const ShowFlags& flags) {
  auto root = screening::ListsRoot();
  if (!root) {
    std::fprintf(stderr, "phaseout lists show: %s\n", root.error().message.c_str());
    return kExitRuntime;
  }
  auto lists = screening::ListStoredLists(*root);
  if (!lists) {
    std::fprintf(stderr, "phaseout lists show: %s\n", lists.error().message.c_str());
    return kExitRuntime;
  }
  std::printf("%-22s %-24s %-18s %9s  %-20s %s\n", "POLICY", "LIST", "FORMAT", "ENTITIES", "IMPORTED", "SOURCE FILE");
  size_t shown = 0;
  for (const auto& l : *lists) {
    if (!flags.policy.empty() && l.policy != flags.policy) continue;
    std::printf("%-22s %-24s %-18s %9llu  %-20s %s\n", l.policy.c_str(), l.name.c_str(), l.format.c_str(),
                static_cast<unsigned long long>(l.entities), l.imported_at.c_str(), l.source_file.c_str());
    ++shown;
  }
  std::printf("%zu list(s) in %s\n", shown, root->c_str());
  return kExitOk;
}

}  // namespace

void AddListsCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("lists", "Import and show external screening lists used by `phaseout screen`");
  cmd->require_subcommand(1);
  auto imp = std::make_shared<ImportFlags>();
  auto* import_cmd = cmd->add_subcommand(
      "import", "Import a CSL CSV, OpenSanctions simplified CSV or FtM JSON-lines file as entities of a policy");
  import_cmd->add_option("file", imp->file, "List file")->required();
  import_cmd->add_option("--policy", imp->policy, "Policy id the list is tied to")->required();
  import_cmd->add_option("--format", imp->format, "csl|opensanctions-csv|ftm (default: detected from the content)");
  import_cmd->add_option("--name", imp->name, "Stored list name (default: the file name stem)");
  import_cmd->add_option("--data-dir", imp->data_dir, "Data directory (vendors.yaml, policies/)");
  import_cmd->add_flag("--force", imp->force, "Replace a stored list even if the new one is less than half its size");
  import_cmd->callback([imp, exit_code] { *exit_code = RunImport(*imp); });
  auto show = std::make_shared<ShowFlags>();
  auto* show_cmd = cmd->add_subcommand("show", "List the imported lists");
  show_cmd->add_option("--policy", show->policy, "Only lists of this policy");
  show_cmd->callback([show, exit_code] { *exit_code = RunShow(*show); });
}

}  // namespace phaseout::cli
