// summary.json: one entry per claim x group (x mutant variant) with the verdict, its counts, the
// numeric details of its cases aggregated generically (min / median / max per details key), the
// shrunk counterexample, run settings and versions. Written last: its presence marks a complete
// report directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/runner.hpp"
#include "reports/records.hpp"

namespace siv {

inline constexpr const char* kSummarySchema = "siverify-summary/2";

// The details every reader looks for first (when a check records them), in display order.
const std::vector<std::string>& headline_keys();

struct Aggregate {
  int count = 0;  // cases with a finite value
  double min = 0, median = 0, max = 0;
};

// Every numeric details key of the group's cases (failures excluded), sorted by key.
std::map<std::string, Aggregate> detail_aggregates(const GroupResult& g, const RunResult& run);

// Contingency tables summed over a group's cases: rows of a table that has a numeric "count"
// column, keyed by their text cells (e.g. C6's confusion tables: criterion, predicted, observed).
struct CountTable {
  std::string table;
  std::vector<std::string> labels;  // the text columns, in the rows' order
  std::vector<std::pair<std::vector<std::string>, double>> counts;  // label values -> total
};
std::vector<CountTable> count_tables(const GroupResult& g, const RunResult& run);

// "power:0.25", or "bridge:2 / mutant exponent-1" for a planted false claim.
std::string group_label(const GroupResult& g);
// Smallest Holm-adjusted p over the group's p-value cases (NaN when it has none).
double min_adjusted_p(const GroupResult& g, const RunResult& run);
// One short phrase for tables, "n/a" where nothing was measured:
//   "rate 0.51 [0.44, 0.58], worst 0.31, predicted 0.5", "min p 0.03 (Holm 0.2)",
//   "slack median 0.4, worst 0.01", "observed at the floor on 3 cases".
std::string key_figure(const GroupResult& g, const RunResult& run);
// "a violation in >= 63% of cases (95%)" [+ "; p <= 2e-05 per case" or "; intervals at level
// 8e-07 per case"], "n/a" without cases.
std::string power_text(const GroupResult& g);
// The expected verdict in words; a premise on the user's target adds that failing it is a finding.
std::string expected_text(const GroupResult& g);
// "%.Ng"-style text; "n/a" for NaN.
std::string format_number(double v, int digits = 3);
// At least `digits` significant digits, more (up to 6) while %g would drop digits of a value it
// does not print exactly: 0.99994 -> "0.99994", never "1"; 0.5 -> "0.5". At 6 digits trailing
// zeros stay ("1.00000" for 1 - 1e-9) so a rounded value never reads as an exact one.
std::string format_distinct(double v, int digits = 3);
// v rounded at the second significant digit of its uncertainty (error > 0, e.g. the half-width
// of a confidence interval): 0.51234 with error 0.034 -> "0.512"; format_distinct(v) otherwise.
std::string format_to_error(double v, double error);

// siverify version, git commit, compiler, flags, OS, Eigen and Boost.
nlohmann::json provenance_json();
// Comment lines for generated files, each starting with prefix ("% " for LaTeX, "# " for gnuplot):
// the build (version, commit, compiler, OS) and, with settings, the run (id, command line, profile
// values, seed, alpha, claims, data spec).
std::string build_provenance_lines(const std::string& prefix);
std::string provenance_lines(const RunSettings& s, const std::string& prefix);
// Identifies the settings and the build: the same id means the same deterministic results.
std::string run_id(const RunSettings& s);
nlohmann::json settings_json(const RunSettings& s);
nlohmann::json summary_json(const RunResult& run, const RunSettings& settings);

}  // namespace siv
