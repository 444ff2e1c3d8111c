// phaseout: find, screen out and phase out equipment from restricted vendors.
// Wiring only: each subcommand lives in its own *_command.cc.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "apps/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "phaseout " PHASEOUT_VERSION
      ": find, screen out and phase out equipment from restricted surveillance and telecom "
      "vendors.\n\nExit codes: 0 ok (nothing prohibited), 1 runtime error, 2 usage error, "
      "3 prohibited findings (or findings at --fail-on), 4 scan incomplete (interrupted, or "
      "part of the scope not reached)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", PHASEOUT_VERSION);
  int exit_code = phaseout::cli::kExitOk;
  phaseout::cli::AddScanCommand(app, &exit_code);
  phaseout::cli::AddCheckCommand(app, &exit_code);
  phaseout::cli::AddLabCommand(app, &exit_code);
  phaseout::cli::AddScreenCommand(app, &exit_code);
  phaseout::cli::AddListsCommand(app, &exit_code);
  phaseout::cli::AddRulesCommand(app, &exit_code);
  phaseout::cli::AddPoliciesCommand(app, &exit_code);
  phaseout::cli::AddInventoryCommand(app, &exit_code);
  phaseout::cli::AddSitesCommand(app, &exit_code);
  phaseout::cli::AddAuditCommand(app, &exit_code);
  phaseout::cli::AddImportCommand(app, &exit_code);
  phaseout::cli::AddReportCommand(app, &exit_code);
  phaseout::cli::AddServeCommand(app, &exit_code);
  phaseout::cli::AddUsersCommand(app, &exit_code);
  phaseout::cli::AddAgentsCommand(app, &exit_code);
  phaseout::cli::AddAgentCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : phaseout::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "phaseout: error: %s\n", e.what());
    return phaseout::cli::kExitRuntime;
  }
  return exit_code;
}
