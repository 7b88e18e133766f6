// Inputs shared by the sub-commands: option values turned into theory objects, with InputError
// messages that name the option or the file.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "app/csv.hpp"
#include "theory/oracle.hpp"

namespace siv::app {

// The required --data and --schedule options every oracle sub-command takes.
void add_data_and_schedule_options(CLI::App& cmd, std::string& data, std::string& schedule);

// make_schedule, with its message prefixed by the option name.
SchedulePtr parse_schedule(const std::string& spec);

// Throws InputError at the first row of `points` unless it has the dimension of `data`.
void require_dimension_of(const MatrixFile& points, const MatrixFile& data);

// At most one of the (option, path) pairs may read standard input ("-").
void require_one_stdin(std::initializer_list<std::pair<const char*, const std::string*>> files);

}  // namespace siv::app
