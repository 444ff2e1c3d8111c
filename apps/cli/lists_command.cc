// `phaseout lists`: placeholder registration until the owning issue lands this subcommand.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "apps/cli/commands.h"

namespace phaseout::cli {

void AddListsCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("lists", "(not built yet)");
  cmd->callback([exit_code] {
    std::fprintf(stderr, "phaseout lists: not built yet\n");
    *exit_code = kExitRuntime;
  });
}

}  // namespace phaseout::cli
