// `siverify verify`: runs the registered claim checks (owned by the claim-check work, issue 3).
#pragma once

#include <CLI/CLI.hpp>

namespace siv::app {

// Adds the verify sub-command; its callback sets exit_code (0 holds, 1 refuted, 2 bad input).
// parse_only: the callback does nothing, so a parse only validates the options (slurm).
void add_verify_command(CLI::App& app, int& exit_code, bool parse_only = false);

}  // namespace siv::app
