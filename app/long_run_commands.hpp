// `siverify merge` (shard journals -> one report, as the unsharded run) and `siverify slurm`
// (a Slurm job array of shards plus a dependent merge job).
#pragma once

#include <CLI/CLI.hpp>

namespace siv::app {

void add_merge_command(CLI::App& app, int& exit_code);
void add_slurm_command(CLI::App& app, int& exit_code);

}  // namespace siv::app
