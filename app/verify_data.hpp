// verify --data: the user's data set as the training sets of every claim check.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "properties/runner.hpp"

namespace siv::app {

struct VerifyDataOptions {
  std::string data;             // data spec; "": generated sets
  std::string sizes = "100";    // --n: subset sizes
  std::string study_sizes;      // --study-n: the data study's subset sizes ("": those of --n)
  int label = -1;               // --class
  std::string scale = "auto";   // --scale
  std::string schedules;        // --schedules: comma-separated; "": all
  CLI::Option *sizes_opt = nullptr, *label_opt = nullptr;
};

void add_verify_data_options(CLI::App& verify, VerifyDataOptions& options);

// Validates the options (InputError naming them) and puts the data sets and schedules into run:
// the sizes fit the data, and the points the subsets come from are distinct. Returns what the
// data run reduces or skips, and why, for the report.
std::vector<std::string> apply_verify_data(const VerifyDataOptions& options, RunOptions& run);

// Removes the checks whose setting no data subset provides (Check::not_on_data), adding one
// reduction per check (and the kept checks' Check::data_reduction); returns the left-out notes
// for the caller to print once the run has started. InputError when nothing is left to run.
std::vector<std::string> fit_checks_to_data(std::vector<const Check*>& checks, const Profile& profile,
                                            std::vector<std::string>& reductions);

// The per-data-set study (properties/data_study.hpp), written as data.md beside report.md when
// out is given; prints its headline figures.
void study_verify_data(const RunOptions& run, const std::string& out,
                       const std::vector<std::string>& reductions);

}  // namespace siv::app
