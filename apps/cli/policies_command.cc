// `phaseout policies list|show|check`: the shipped restricted-vendor policies, what each one
// covers, and how they judge one vendor. Wiring only; the work is in src/policy and src/report.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "core/data_dir.h"
#include "policy/policy_set.h"
#include "policy/vendor_registry.h"
#include "report/policy_text.h"

namespace phaseout::cli {
namespace {

struct PoliciesOptions {
  std::string data_dir;
  std::string format = "table";
  std::string id;                     // show: policy id; check: vendor id
  std::vector<std::string> policies;  // check: --policy
  std::string as_of;                  // check: --as-of
  bool label_only = false;            // check: --label
};

struct Loaded {
  std::unique_ptr<policy::VendorRegistry> vendors;
  std::unique_ptr<policy::PolicySet> policies;
};

int ExitFor(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound ? kExitUsage : kExitRuntime;
}

// Loads vendors.yaml and policies/ from the data directory; prints the error and returns
// nullopt on failure (exit code in *rc).
std::optional<Loaded> Load(const PoliciesOptions& opt, const char* cmd, int* rc) {
  auto dir = FindDataDir(opt.data_dir);
  if (!dir) {
    std::fprintf(stderr, "phaseout policies %s: %s\n", cmd, dir.error().message.c_str());
    *rc = ExitFor(dir.error());
    return std::nullopt;
  }
  auto vendors = policy::VendorRegistry::Load(*dir + "/vendors.yaml");
  if (!vendors) {
    std::fprintf(stderr, "phaseout policies %s: %s\n", cmd, vendors.error().message.c_str());
    *rc = ExitFor(vendors.error());
    return std::nullopt;
  }
  Loaded out;
  out.vendors = std::make_unique<policy::VendorRegistry>(std::move(*vendors));
  auto set = policy::PolicySet::LoadDirectory(*dir + "/policies", *out.vendors);
  if (!set) {
    std::fprintf(stderr, "phaseout policies %s: %s\n", cmd, set.error().message.c_str());
    *rc = ExitFor(set.error());
    return std::nullopt;
  }
  out.policies = std::make_unique<policy::PolicySet>(std::move(*set));
  return out;
}

int RunList(const PoliciesOptions& opt) {
  int rc = kExitOk;
  auto loaded = Load(opt, "list", &rc);
  if (!loaded) return rc;
  if (opt.format == "json") {
    report::WritePolicyListJson(std::cout, *loaded->policies);
  } else {
    report::WritePolicyList(std::cout, *loaded->policies);
  }
  return kExitOk;
}

int RunShow(const PoliciesOptions& opt) {
  int rc = kExitOk;
  auto loaded = Load(opt, "show", &rc);
  if (!loaded) return rc;
  auto sel = loaded->policies->Select({opt.id});
  if (!sel) {
    std::fprintf(stderr, "phaseout policies show: %s\n", sel.error().message.c_str());
    return kExitUsage;
  }
  if (opt.format == "json") {
    report::WritePolicyDetailJson(std::cout, *sel->front(), *loaded->vendors);
  } else {
    report::WritePolicyDetail(std::cout, *sel->front(), *loaded->vendors);
  }
  return kExitOk;
}

// Exit code like scan/screen: 3 when any selected policy says prohibited.
int RunCheck(const PoliciesOptions& opt) {
  int rc = kExitOk;
  auto loaded = Load(opt, "check", &rc);
  if (!loaded) return rc;
  if (loaded->vendors->Find(opt.id) == nullptr) {
    std::fprintf(stderr, "phaseout policies check: unknown vendor id '%s' (see data/vendors.yaml)\n", opt.id.c_str());
    return kExitUsage;
  }
  auto sel = loaded->policies->Select(opt.policies);
  if (!sel) {
    std::fprintf(stderr, "phaseout policies check: %s\n", sel.error().message.c_str());
    return kExitUsage;
  }
  policy::Subject subject;
  subject.vendor = opt.id;
  subject.role = opt.label_only ? policy::SubjectRole::kLabel : policy::SubjectRole::kMaker;
  if (!opt.as_of.empty()) {
    auto d = policy::CivilDate::Parse(opt.as_of);
    if (!d) {
      std::fprintf(stderr, "phaseout policies check: --as-of: %s\n", d.error().message.c_str());
      return kExitUsage;
    }
    subject.date = *d;
  }
  auto findings = loaded->policies->EvaluateAll(*sel, subject);
  report::WriteFindings(std::cout, findings);
  for (const auto& f : findings) {
    if (f.verdict.status == model::VerdictStatus::kProhibited) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

void AddPoliciesCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("policies", "List and explain the restricted-vendor policies (data/policies)");
  cmd->require_subcommand(1);
  auto opt = std::make_shared<PoliciesOptions>();
  cmd->add_option("--data-dir", opt->data_dir, "Data directory holding vendors.yaml and policies/");

  auto* list = cmd->add_subcommand("list", "One line per shipped policy");
  list->add_option("--format", opt->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([opt, exit_code] { *exit_code = RunList(*opt); });

  auto* show = cmd->add_subcommand("show", "Everything about one policy: clauses, statuses, who it reaches, sources");
  show->add_option("ID", opt->id, "Policy id (see `policies list`)")->required();
  show->add_option("--format", opt->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  show->callback([opt, exit_code] { *exit_code = RunShow(*opt); });

  auto* check = cmd->add_subcommand(
      "check", "How each policy judges one vendor id (e.g. lorex --as-of 2019-06-01); exit 3 if prohibited");
  check->add_option("VENDOR", opt->id, "Vendor id from data/vendors.yaml")->required();
  check->add_option("--policy", opt->policies, "Policy id (repeatable; default: all)");
  check->add_option("--as-of", opt->as_of, "Date for dated ownership (YYYY, YYYY-MM or YYYY-MM-DD)");
  check->add_flag("--label", opt->label_only, "Only the vendor's label is known, not who made the item");
  check->callback([opt, exit_code] { *exit_code = RunCheck(*opt); });
}

}  // namespace phaseout::cli
