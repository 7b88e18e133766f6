// LaTeX output for papers: booktabs tables with siunitx S columns (per claim and one overall),
// values.tex with a \newcommand per headline number, and report.tex that \inputs them.
//
// Macro names (values.tex) are "siv" followed by the words of the check id, the group label and
// the field, each word capitalised; LaTeX command names must be letters only, so
//   a letter run is kept ("sqrt" -> "Sqrt"), each digit becomes its English name ("2" -> "Two"),
//   '.' between digits becomes "Point", '-' before a digit becomes "Minus", every other character
//   separates words and is dropped.
//   C2.sqrt, power:0.25, rate -> \sivCTwoSqrtPowerZeroPointTwoFiveRate
// A name already taken gets "X", "XX", ... appended, in run order.
#pragma once

#include <string>
#include <vector>

#include "properties/runner.hpp"
#include "reports/figures.hpp"
#include "reports/records.hpp"

namespace siv {

std::string latex_escape(const std::string& text);
// The letters-only name described above, without the leading backslash.
std::string macro_name(const std::vector<std::string>& parts);

// Claims in run order.
std::vector<std::string> claims_of(const RunResult& run);

// Tables a paper can \input as is (needs booktabs, siunitx, tabularx and, for long ones,
// xltabular): caption, label (tab:siv:<claim>, tab:siv:<claim>:measured:<k>, tab:siv:overall),
// math in the headers, a provenance comment, as wide as the line; more than 24 rows break
// across pages (xltabular), fewer float (table + tabularx).
struct LatexTable {
  std::string name;  // tables/<name>.tex
  std::string text;
};
// Verdicts per group: counts, worst slack or Holm p, power.
std::string latex_claim_table(const RunResult& run, const std::string& claim,
                              const RunSettings& settings);
// The medians of the headline details, at most five per table (column subsets fit the page).
std::vector<LatexTable> latex_measured_tables(const RunResult& run, const std::string& claim,
                                              const RunSettings& settings);
// Contingency tables (summary.hpp's count_tables, e.g. C6's confusion tables), one per name.
std::vector<LatexTable> latex_count_tables(const RunResult& run, const std::string& claim,
                                           const RunSettings& settings);
std::string latex_overall_table(const RunResult& run, const RunSettings& settings);
std::string latex_values(const RunResult& run, const RunSettings& settings);

// A document that \inputs tables/overall.tex, tables/<name>.tex for each claim's tables (names
// as written: the claim, then <claim>-...) and figures/<stem>.tex (paths relative to it).
std::string latex_report(const RunResult& run, const RunSettings& settings,
                         const std::vector<Plot>& plots,
                         const std::vector<std::string>& tables_of_claims);

}  // namespace siv
