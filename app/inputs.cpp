#include "app/inputs.hpp"

#include <charconv>

#include <stdexcept>

namespace siv::app {

std::uint64_t parse_seed(const std::string& what, const std::string& text) {
  std::uint64_t seed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (ec != std::errc() || end != text.data() + text.size())
    throw InputError(what + " must be an integer in [0, 2^64 - 1], got '" + text + "'");
  return seed;
}

const CLI::Validator kFileName(
    [](const std::string& path) { return path.empty() ? std::string("the file name is empty") : std::string(); },
    "");

void add_data_and_schedule_options(CLI::App& cmd, std::string& data, std::string& schedule) {
  cmd.add_option("--data", data,
                 "Training set: a CSV, NPY or IDX file (.gz read too; format by extension or "
                 "fmt:csv|npy|idx:FILE), fashion-mnist[:train|test], or '-' for CSV on stdin")
      ->type_name("FILE")
      ->required()
      ->check(kFileName);
  cmd.add_option("--schedule", schedule,
                 "linear | trig | bridge[:A] | vp[:bmin:bmax] | power:P (see 'schedules')")
      ->type_name("SPEC")
      ->required();
}

void add_selection_options(CLI::App& cmd, SelectionOptions& o) {
  o.n_opt = cmd.add_option("--n", o.n, "Use a random subset of N points of --data (drawn from --seed)")
                ->type_name("N");
  o.label_opt = cmd.add_option("--class", o.label,
                               "Use only the points of this label (named sets, IDX with labels)")
                    ->type_name("K");
  cmd.add_option("--scale", o.scale,
                 "auto (default: unit for uint8 pixels, none otherwise) | unit ([0,1]) | "
                 "symmetric ([-1,1]) | none")
      ->type_name("S");
}

data::Selection make_selection(const SelectionOptions& o, std::uint64_t seed) {
  data::Selection s;
  if (o.n_opt->count() > 0 && o.n < 1) throw InputError("--n must be >= 1, got " + std::to_string(o.n));
  if (o.label_opt->count() > 0 && o.label < 0)
    throw InputError("--class must be >= 0, got " + std::to_string(o.label));
  s.n = o.n;
  s.label = o.label;
  s.scale = data::parse_scale(o.scale);
  s.seed = seed;
  return s;
}

SchedulePtr parse_schedule(const std::string& spec) {
  try {
    return make_schedule(spec);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--schedule: ") + e.what());
  }
}

void require_dimension_of(const data::Dataset& points, const data::Dataset& data) {
  const auto d = data.rows.cols();
  data::require_columns(points, d,
                        "the training set '" + data.name() + "' has d = " + std::to_string(d));
}

void require_one_stdin(std::initializer_list<std::pair<const char*, const std::string*>> files) {
  const char* first = nullptr;
  for (const auto& [option, path] : files) {
    if (*path != "-") continue;
    if (first)
      throw InputError(std::string(first) + " and " + option +
                       " both read standard input ('-'); at most one may");
    first = option;
  }
}

}  // namespace siv::app
