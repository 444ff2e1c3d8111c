// `phaseout screen`: placeholder registration until the owning issue lands this subcommand.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "apps/cli/commands.h"

namespace phaseout::cli {

void AddScreenCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("screen", "(not built yet)");
  cmd->callback([exit_code] {
    std::fprintf(stderr, "phaseout screen: not built yet\n");
    *exit_code = kExitRuntime;
  });
}

}  // namespace phaseout::cli
