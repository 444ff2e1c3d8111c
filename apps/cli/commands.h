// Subcommand registration for the `phaseout` CLI. Each Add*Command registers one subcommand
// on `app`; when that subcommand runs, its callback stores the process exit code in *exit_code.
#pragma once

namespace CLI {
class App;
}

namespace phaseout::cli {

// Exit codes shared by every subcommand (documented in README and `phaseout --help`).
inline constexpr int kExitOk = 0;          // success; nothing prohibited found / at --fail-on
inline constexpr int kExitRuntime = 1;     // runtime error (I/O, unreadable input lines)
inline constexpr int kExitUsage = 2;       // usage error: bad flags, targets, rules, policy ids
inline constexpr int kExitFindings = 3;    // prohibited devices found / lines at --fail-on
// scan only: the scan did not cover its whole scope (interrupted, addresses or ports not
// reached because of network or local errors, or nothing answered at all) and nothing at
// --fail-on was found in what it did cover. Findings (3) take precedence: they are real
// whatever was missed; the output's trailer says the scan was incomplete either way.
inline constexpr int kExitIncomplete = 4;

void AddScanCommand(CLI::App& app, int* exit_code);
void AddCheckCommand(CLI::App& app, int* exit_code);
void AddLabCommand(CLI::App& app, int* exit_code);
void AddScreenCommand(CLI::App& app, int* exit_code);
void AddListsCommand(CLI::App& app, int* exit_code);
void AddRulesCommand(CLI::App& app, int* exit_code);
void AddPoliciesCommand(CLI::App& app, int* exit_code);
void AddInventoryCommand(CLI::App& app, int* exit_code);
void AddSitesCommand(CLI::App& app, int* exit_code);
void AddAuditCommand(CLI::App& app, int* exit_code);
void AddImportCommand(CLI::App& app, int* exit_code);
void AddReportCommand(CLI::App& app, int* exit_code);
// apps/server: the HTTP server and its bootstrap commands.
void AddServeCommand(CLI::App& app, int* exit_code);
void AddUsersCommand(CLI::App& app, int* exit_code);
void AddAgentsCommand(CLI::App& app, int* exit_code);
void AddAgentCommand(CLI::App& app, int* exit_code);

}  // namespace phaseout::cli
