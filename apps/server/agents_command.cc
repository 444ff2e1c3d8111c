// `phaseout agents secret|list|revoke`: enrolment secrets and agent keys of `phaseout serve`
// without the API. Wiring only: src/server/auth.h.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"
#include "apps/server/server_cli.h"
#include "server/auth.h"

namespace phaseout::cli {
namespace {

struct AgentsFlags {
  std::string db, id;
  std::vector<std::string> sites;
  int64_t expires_s = 86400;
};

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "phaseout agents: %s\n", message.c_str());
  return code;
}

int RunSecret(const AgentsFlags& f) {
  int code = kExitOk;
  auto inv = OpenServerDatabase("agents", f.db, &code);
  if (!inv) return code;
  for (const auto& s : f.sites) {
    auto site = inv->GetSite(s);
    if (!site) return Fail(site.error().message, ExitCodeFor(site.error()));
  }
  server::AuthStore auth(inv->store(), {});
  auto secret = auth.CreateEnrolSecret(f.sites, f.expires_s, "cli");
  if (!secret) return Fail(secret.error().message, ExitCodeFor(secret.error()));
  std::fprintf(stderr, "phaseout agents: one-time enrolment secret (expires in %lld s; shown once):\n",
               static_cast<long long>(f.expires_s));
  std::printf("%s\n", secret->c_str());
  return kExitOk;
}

int RunList(const AgentsFlags& f) {
  int code = kExitOk;
  auto inv = OpenServerDatabase("agents", f.db, &code);
  if (!inv) return code;
  server::AuthStore auth(inv->store(), {});
  auto agents = auth.ListAgents();
  if (!agents) return Fail(agents.error().message, ExitCodeFor(agents.error()));
  for (const auto& a : *agents) {
    std::string sites;
    for (const auto& s : a.sites) sites += (sites.empty() ? "" : ",") + s;
    std::printf("%-20s %-24s %-8s %s\n", a.id.c_str(), a.name.c_str(), a.revoked ? "revoked" : "active", sites.c_str());
  }
  return kExitOk;
}

int RunRevoke(const AgentsFlags& f) {
  int code = kExitOk;
  auto inv = OpenServerDatabase("agents", f.db, &code);
  if (!inv) return code;
  server::AuthStore auth(inv->store(), {});
  if (Status s = auth.RevokeAgent(f.id); !s.ok()) return Fail(s.error().message, ExitCodeFor(s.error()));
  std::fprintf(stderr, "phaseout agents: revoked %s (it must enrol again)\n", f.id.c_str());
  return kExitOk;
}

}  // namespace

void AddAgentsCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<AgentsFlags>();
  auto* cmd = app.add_subcommand("agents", "Site agents of `phaseout serve`: enrolment secrets, keys; docs/server.md");
  cmd->require_subcommand(1);
  cmd->footer("Exit codes: 0 ok, 1 runtime error, 2 usage error (unknown site or agent, bad flags).");
  auto* secret = cmd->add_subcommand("secret", "Make a one-time enrolment secret bound to sites (printed once)");
  secret->add_option("--site", f->sites, "Site the agent may push scans for (repeatable)")->required();
  secret->add_option("--expires-in", f->expires_s, "Seconds until the secret expires (1..2592000)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{30 * 86400}));
  AddDbOption(secret, &f->db);
  secret->callback([f, exit_code] { *exit_code = RunSecret(*f); });
  auto* list = cmd->add_subcommand("list", "List enrolled agents");
  AddDbOption(list, &f->db);
  list->callback([f, exit_code] { *exit_code = RunList(*f); });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke an agent's key (it must enrol again)");
  revoke->add_option("id", f->id, "Agent id (see `agents list`)")->required();
  AddDbOption(revoke, &f->db);
  revoke->callback([f, exit_code] { *exit_code = RunRevoke(*f); });
}

}  // namespace phaseout::cli
