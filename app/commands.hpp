// The sub-commands of siverify other than verify (app/verify_command.hpp). Each adds itself to the
// application; its callback writes CSV on standard output only when it succeeds and throws
// InputError (exit 2) for bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace siv::app {

void add_schedules_command(CLI::App& app);
void add_field_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_list_command(CLI::App& app);

}  // namespace siv::app
