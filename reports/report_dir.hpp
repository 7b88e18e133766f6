// The report directory of one run. Layout:
//   cases.jsonl        one record per case (no timings: the same seed gives identical bytes)
//   report.md          verdicts, refuted claims with replay commands, mutants, details, figures
//   report.tex         \inputs tables/ and figures/; latexmk -pdf report.tex gives report.pdf
//   tables/<claim>.tex, tables/overall.tex, tables/values.tex
//   figures/<check>_<group>_<kind>.{dat,gp,png,tex}
//   summary.json       written last; "complete": false when the run was stopped (SIGINT/SIGTERM)
//   journal.jsonl      each case as it finished (reports/journal.hpp), for --resume and merge
// Completeness: every file is written under a temporary name and renamed; begin_report removes a
// previous summary.json first, so a killed run never leaves a directory that looks complete, and a
// stopped one says it is incomplete (summary.json, the top of report.md, exit code 4).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "properties/runner.hpp"
#include "reports/records.hpp"

namespace siv {

// Creates dir and removes a stale summary.json; throws std::runtime_error naming dir.
void begin_report(const std::filesystem::path& dir);

// Writes the layout above; gnuplot is the executable ("" skips the PNGs with a warning in
// report.md). Returns the warnings (also in report.md).
std::vector<std::string> write_report(const std::filesystem::path& dir, const RunResult& run,
                                      const RunSettings& settings, const std::string& gnuplot);

// Runs latexmk on dir/report.tex when latexmk is on PATH. Returns "" on success, else why not.
std::string compile_pdf(const std::filesystem::path& dir);

}  // namespace siv
