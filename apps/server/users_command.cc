// `phaseout users add|list|token|disable|enable`: manage the server's users without the API
// (bootstrapping the first admin). Wiring only: src/server/auth.h.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "apps/cli/inventory_cli.h"
#include "apps/server/server_cli.h"
#include "core/json_dump.h"
#include "server/auth.h"

namespace phaseout::cli {
namespace {

struct UsersFlags {
  std::string db;
  std::string name, role, label, cost = "moderate", format = "table";
  std::vector<std::string> departments, sites;
  int64_t expires_days = 90;
};

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "phaseout users: %s\n", message.c_str());
  return code;
}

// One line from stdin; without echo when stdin is a terminal.
std::string ReadPassword() {
  bool tty = ::isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::fprintf(stderr, "password: ");
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

server::AuthOptions Options(const UsersFlags& f) {
  server::AuthOptions o;
  o.password_cost = f.cost == "interactive" ? server::PasswordCost::kInteractive : server::PasswordCost::kModerate;
  return o;
}

int RunAdd(const UsersFlags& f) {
  auto role = server::ParseRole(f.role);
  if (!role) return Fail(role.error().message, kExitUsage);
  if (f.cost != "interactive" && f.cost != "moderate") return Fail("--password-cost wants interactive or moderate", kExitUsage);
  int code = kExitOk;
  auto inv = OpenServerDatabase("users", f.db, &code);
  if (!inv) return code;
  std::string password = ReadPassword();
  server::AuthStore auth(inv->store(), Options(f));
  server::User u;
  u.name = f.name;
  u.role = *role;
  u.departments = f.departments;
  u.sites = f.sites;
  if (Status s = auth.AddUser(u, password); !s.ok()) return Fail(s.error().message, ExitCodeFor(s.error()));
  std::fprintf(stderr, "phaseout users: added %s (%s)\n", f.name.c_str(), f.role.c_str());
  return kExitOk;
}

int RunList(const UsersFlags& f) {
  if (f.format != "table" && f.format != "json") return Fail("--format wants table or json", kExitUsage);
  int code = kExitOk;
  auto inv = OpenServerDatabase("users", f.db, &code);
  if (!inv) return code;
  server::AuthStore auth(inv->store(), {});
  auto users = auth.ListUsers();
  if (!users) return Fail(users.error().message, ExitCodeFor(users.error()));
  if (f.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : *users) {
      out.push_back({{"name", u.name}, {"role", server::RoleName(u.role)}, {"departments", u.departments},
                     {"sites", u.sites}, {"disabled", u.disabled}});
    }
    std::cout << DumpJson(out, 2) << "\n";
    return kExitOk;
  }
  for (const auto& u : *users) {
    std::string scope;
    for (const auto& d : u.departments) scope += (scope.empty() ? "department:" : ",department:") + d;
    for (const auto& s : u.sites) scope += (scope.empty() ? "site:" : ",site:") + s;
    std::printf("%-24s %-12s %-8s %s\n", u.name.c_str(), server::RoleName(u.role), u.disabled ? "disabled" : "enabled",
                scope.c_str());
  }
  return kExitOk;
}

int RunToken(const UsersFlags& f) {
  if (f.expires_days < 0 || f.expires_days > 400) return Fail("--expires-days wants 0..400 (0: never)", kExitUsage);
  int code = kExitOk;
  auto inv = OpenServerDatabase("users", f.db, &code);
  if (!inv) return code;
  server::AuthStore auth(inv->store(), {});
  auto t = auth.CreateToken(f.name, f.label, f.expires_days * 86400);
  if (!t) return Fail(t.error().message, ExitCodeFor(t.error()));
  std::fprintf(stderr, "phaseout users: token %s for %s (shown once; send it as 'Authorization: Bearer ...')\n",
               t->id.c_str(), f.name.c_str());
  std::printf("%s\n", t->token.c_str());
  return kExitOk;
}

int RunDisable(const UsersFlags& f, bool disabled) {
  int code = kExitOk;
  auto inv = OpenServerDatabase("users", f.db, &code);
  if (!inv) return code;
  server::AuthStore auth(inv->store(), {});
  if (Status s = auth.SetDisabled(f.name, disabled); !s.ok()) return Fail(s.error().message, ExitCodeFor(s.error()));
  std::fprintf(stderr, "phaseout users: %s %s%s\n", f.name.c_str(), disabled ? "disabled" : "enabled",
               disabled ? " (its sessions ended, its tokens revoked)" : "");
  return kExitOk;
}

}  // namespace

void AddUsersCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<UsersFlags>();
  auto* cmd = app.add_subcommand("users", "Users of `phaseout serve` (roles, scope, tokens); docs/server.md");
  cmd->require_subcommand(1);
  cmd->footer("Exit codes: 0 ok, 1 runtime error, 2 usage error (unknown user, bad role or flags).");
  auto* add = cmd->add_subcommand("add", "Add a user; the password is read from stdin (one line, at least 12 characters)");
  add->add_option("name", f->name, "User name")->required();
  add->add_option("--role", f->role, "admin|programme|officer|site|procurement")->required();
  add->add_option("--department", f->departments, "Department in the user's scope (repeatable)");
  add->add_option("--site", f->sites, "Site in the user's scope (repeatable)");
  add->add_option("--password-cost", f->cost, "argon2id cost: moderate (256 MiB) or interactive (64 MiB)")
      ->capture_default_str();
  AddDbOption(add, &f->db);
  add->callback([f, exit_code] { *exit_code = RunAdd(*f); });
  auto* list = cmd->add_subcommand("list", "List users");
  list->add_option("--format", f->format, "table|json")->capture_default_str();
  AddDbOption(list, &f->db);
  list->callback([f, exit_code] { *exit_code = RunList(*f); });
  auto* token = cmd->add_subcommand("token", "Make an API token for a user (printed once on stdout)");
  token->add_option("name", f->name, "User name")->required();
  token->add_option("--label", f->label, "What the token is for");
  token->add_option("--expires-days", f->expires_days, "Days until it expires (0: never)")->capture_default_str();
  AddDbOption(token, &f->db);
  token->callback([f, exit_code] { *exit_code = RunToken(*f); });
  auto* disable = cmd->add_subcommand("disable", "Disable a user: ends its sessions and revokes its tokens");
  disable->add_option("name", f->name, "User name")->required();
  AddDbOption(disable, &f->db);
  disable->callback([f, exit_code] { *exit_code = RunDisable(*f, true); });
  auto* enable = cmd->add_subcommand("enable", "Enable a disabled user again");
  enable->add_option("name", f->name, "User name")->required();
  AddDbOption(enable, &f->db);
  enable->callback([f, exit_code] { *exit_code = RunDisable(*f, false); });
}

}  // namespace phaseout::cli
