// Inputs shared by the sub-commands: option values turned into theory objects, with InputError
// messages that name the option or the file.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "app/csv.hpp"
#include "data/dataset.hpp"
#include "theory/oracle.hpp"

namespace siv::app {

// Rejects an empty file name (CLI11 validator for --data, --points, --start).
extern const CLI::Validator kFileName;

// The required --data and --schedule options every oracle sub-command takes.
void add_data_and_schedule_options(CLI::App& cmd, std::string& data, std::string& schedule);

// --n, --class, --scale: which points of --data, and how scaled (the seed is the command's).
struct SelectionOptions {
  long n = 0;
  int label = -1;
  std::string scale = "auto";
  CLI::Option *n_opt = nullptr, *label_opt = nullptr;
};
void add_selection_options(CLI::App& cmd, SelectionOptions& options);
data::Selection make_selection(const SelectionOptions& options, std::uint64_t seed);

// A 64-bit seed from text, by hand: CLI11 would silently wrap "-1" into 2^64 - 1.
// `what` names the option or variable in the message.
std::uint64_t parse_seed(const std::string& what, const std::string& text);

// make_schedule, with its message prefixed by the option name.
SchedulePtr parse_schedule(const std::string& spec);

// Throws InputError at the first row of `points` unless it has the dimension of `data`.
void require_dimension_of(const data::Dataset& points, const data::Dataset& data);

// At most one of the (option, path) pairs may read standard input ("-").
void require_one_stdin(std::initializer_list<std::pair<const char*, const std::string*>> files);

}  // namespace siv::app
