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

void add_data_and_schedule_options(CLI::App& cmd, std::string& data, std::string& schedule) {
  cmd.add_option("--data", data, "Training set CSV, one point per row ('-': standard input)")
      ->type_name("FILE")
      ->required();
  cmd.add_option("--schedule", schedule,
                 "linear | trig | bridge[:A] | vp[:bmin:bmax] | power:P (see 'schedules')")
      ->type_name("SPEC")
      ->required();
}

SchedulePtr parse_schedule(const std::string& spec) {
  try {
    return make_schedule(spec);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--schedule: ") + e.what());
  }
}

void require_dimension_of(const MatrixFile& points, const MatrixFile& data) {
  const auto d = data.rows.cols();
  require_columns(points, d, "the training set '" + data.name + "' has d = " + std::to_string(d));
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
