// report.md: the verdict table first, then refuted claims with replay commands, mutants, and per
// check the statement, headline numbers and figures.
#pragma once

#include <string>
#include <vector>

#include "properties/runner.hpp"
#include "reports/figures.hpp"
#include "reports/records.hpp"

namespace siv {

// pngs: the figures rendered as figures/<stem>.png (embedded); warnings go near the top.
std::string markdown_report(const RunResult& run, const RunSettings& settings,
                            const std::vector<Plot>& plots, bool pngs,
                            const std::vector<std::string>& warnings);

}  // namespace siv
