// The report directory of one run. Layout:
//   cases.jsonl        one record per case (no timings: the same seed gives identical bytes)
//   report.md          verdicts, refuted claims with replay commands, mutants, details, figures
//   report.tex         \inputs tables/ and figures/; latexmk -pdf report.tex gives report.pdf
//   tables/<claim>.tex, tables/overall.tex, tables/values.tex
//   figures/<check>_<group>_<kind>.{dat,gp,png,tex}
//   summary.json       written last; "complete": false when the run was stopped (SIGINT/SIGTERM)
//   journal.jsonl      each case as it finished (reports/journal.hpp), for --resume and merge
//   manifest.json      written at the very end: every file the run wrote (path, bytes, SHA-256),
//                      the command line and run id
// Completeness: every file is written under a temporary name and renamed; begin_report removes a
// previous summary.json first, so a killed run never leaves a directory that looks complete, and a
// stopped one says it is incomplete (summary.json, the top of report.md, exit code 4).
// One run per directory: begin_report accepts a missing or empty directory, or a siverify report
// directory (a manifest.json or journal.jsonl of siverify's), from which it first removes what
// the manifest lists (the journal stays: --resume continues it); anything else is refused.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "properties/runner.hpp"
#include "reports/records.hpp"

namespace siv {

inline constexpr const char* kManifestFile = "manifest.json";
inline constexpr const char* kManifestSchema = "siverify-manifest/1";

// A directory begin_report refuses: not empty and not a siverify report directory.
struct ReportDirError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Prepares dir as described above and returns the files then left in it (paths relative to dir),
// which write_manifest leaves out. Throws ReportDirError, before changing anything, for a foreign
// directory; std::runtime_error naming dir when it cannot be created or cleared.
std::vector<std::string> begin_report(const std::filesystem::path& dir);

// Writes dir/manifest.json: every regular file under dir except those in `before` (and itself),
// sorted, with bytes and SHA-256; the journal always.
void write_manifest(const std::filesystem::path& dir, const RunSettings& settings,
                    const std::vector<std::string>& before);

// Writes the layout above; gnuplot is the executable ("" skips the PNGs with a warning in
// report.md). Returns the warnings (also in report.md).
std::vector<std::string> write_report(const std::filesystem::path& dir, const RunResult& run,
                                      const RunSettings& settings, const std::string& gnuplot);

// Runs latexmk on dir/report.tex when latexmk is on PATH. Returns "" on success, else why not.
std::string compile_pdf(const std::filesystem::path& dir);

}  // namespace siv
