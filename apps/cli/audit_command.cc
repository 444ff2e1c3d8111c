// `phaseout audit verify|log`: check the hash chain of the audit log; print entries.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"
#include "inventory/inventory.h"

namespace phaseout::cli {
namespace {

struct AuditFlags {
  std::string db;
  int64_t device = 0;
};

int RunVerify(const AuditFlags& f) {
  int rc = kExitOk;
  auto inv = OpenInventoryOrReport("audit verify", f.db, &rc);
  if (!inv) return rc;
  auto v = inv->VerifyAudit();
  if (!v) {
    std::fprintf(stderr, "phaseout audit verify: %s\n", v.error().message.c_str());
    return ExitCodeFor(v.error());
  }
  if (!v->ok) {
    std::printf("audit log BROKEN at entry %lld: %s\n", static_cast<long long>(v->first_bad_seq), v->problem.c_str());
    return kExitFindings;
  }
  std::printf("audit log ok: %lld entries, chain intact, raw scan records match; head %s\n",
              static_cast<long long>(v->entries), v->head_hash.c_str());
  std::printf("(record the head hash elsewhere: removing the newest entries is only detectable against it)\n");
  return kExitOk;
}

int RunLog(const AuditFlags& f) {
  int rc = kExitOk;
  auto inv = OpenInventoryOrReport("audit log", f.db, &rc);
  if (!inv) return rc;
  auto entries = inv->History(f.device);
  if (!entries) {
    std::fprintf(stderr, "phaseout audit log: %s\n", entries.error().message.c_str());
    return ExitCodeFor(entries.error());
  }
  for (const auto& e : *entries) {
    std::printf("#%lld %s %s %s device=%lld: %s\n  after: %s\n", static_cast<long long>(e.seq), e.at.c_str(),
                e.actor.c_str(), e.action.c_str(), static_cast<long long>(e.device_id), e.note.c_str(),
                e.after.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddAuditCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<AuditFlags>();
  auto* cmd = app.add_subcommand("audit", "The append-only, hash-chained audit log of the inventory");
  cmd->require_subcommand(1);
  cmd->footer("Exit codes: 0 chain intact, 3 chain broken (history was edited or deleted), 1 runtime error, "
              "2 usage error.");
  auto* verify = cmd->add_subcommand("verify", "Recompute the hash chain and the raw scan record digests");
  AddDbOption(verify, &f->db);
  verify->callback([f, exit_code] { *exit_code = RunVerify(*f); });
  auto* log = cmd->add_subcommand("log", "Print audit entries (of one device, or general entries with --device 0)");
  AddDbOption(log, &f->db);
  log->add_option("--device", f->device, "Device id (0: entries not about one device)")->capture_default_str();
  log->callback([f, exit_code] { *exit_code = RunLog(*f); });
}

}  // namespace phaseout::cli
