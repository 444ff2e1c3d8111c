// `phaseout rules verify|list`: checks the fingerprint database (the recog_verify equivalent
// CI runs) and lists its rules. Wiring only; the work is in src/fingerprint.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>

#include "apps/cli/commands.h"
#include "core/data_dir.h"
#include "fingerprint/rule_db.h"
#include "fingerprint/verifier.h"

namespace phaseout::cli {
namespace {

struct RulesOptions {
  std::string data_dir;
  std::string key;
  bool quiet = false;
};

// An explicit --data-dir is taken as given (it need not hold vendors.yaml; the vendor-id check
// is then skipped); otherwise the usual FindDataDir() search applies.
Result<std::string> ResolveDataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  return FindDataDir();
}

Result<std::shared_ptr<const fingerprint::RuleDb>> Load(const RulesOptions& opt) {
  auto dir = ResolveDataDir(opt.data_dir);
  if (!dir) return dir.error();
  return fingerprint::LoadRuleDbFromDataDir(*dir);
}

int RunVerify(const RulesOptions& opt) {
  auto db = Load(opt);
  if (!db) {
    std::fprintf(stderr, "phaseout rules verify: %s\n", db.error().message.c_str());
    return kExitUsage;
  }
  auto report = fingerprint::Verify(**db);
  for (const auto& failure : report.failures) std::fprintf(stderr, "FAIL %s\n", failure.c_str());
  if (!opt.quiet || !report.ok()) std::printf("%s\n", fingerprint::FormatSummary(report).c_str());
  return report.ok() ? kExitOk : kExitUsage;
}

int RunList(const RulesOptions& opt) {
  auto db = Load(opt);
  if (!db) {
    std::fprintf(stderr, "phaseout rules list: %s\n", db.error().message.c_str());
    return kExitUsage;
  }
  fmt::print("{:<44} {:<8} {:<5} {:<30} {}\n", "ID", "STRENGTH", "VERIF", "KEYS", "EXTRACT");
  size_t shown = 0;
  for (const auto& rule : (*db)->rules()) {
    std::string keys;
    bool key_match = opt.key.empty();
    for (const auto& k : rule.keys) {
      keys += (keys.empty() ? "" : ",") + k;
      key_match = key_match || k == opt.key;
    }
    if (!key_match) continue;
    std::string extract;
    for (const auto& [field, value] : rule.extract) extract += (extract.empty() ? "" : " ") + field + "=" + value;
    fmt::print("{:<44} {:<8} {:<5} {:<30} {}\n", rule.id, fingerprint::StrengthName(rule.strength),
               rule.verified ? "yes" : "no", keys, extract);
    ++shown;
  }
  fmt::print("{} rule(s)\n", shown);
  return kExitOk;
}

}  // namespace

void AddRulesCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("rules", "Verify or list the fingerprint rules (data/fingerprints)");
  cmd->require_subcommand(1);
  auto opt = std::make_shared<RulesOptions>();

  auto* verify = cmd->add_subcommand(
      "verify",
      "Check every rule file: schema, RE2 patterns, vocabularies, examples and negative examples. "
      "Exit 0 when all pass, 2 on any failure.");
  verify->add_option("--data-dir", opt->data_dir, "data directory (default: the shipped data/)");
  verify->add_flag("--quiet,-q", opt->quiet, "print nothing when everything passes");
  verify->callback([opt, exit_code] { *exit_code = RunVerify(*opt); });

  auto* list = cmd->add_subcommand("list", "List the rules: id, strength, verified, keys, extracted fields");
  list->add_option("--data-dir", opt->data_dir, "data directory (default: the shipped data/)");
  list->add_option("--key", opt->key, "only rules for this observation key, e.g. http.header.server");
  list->callback([opt, exit_code] { *exit_code = RunList(*opt); });
}

}  // namespace phaseout::cli
