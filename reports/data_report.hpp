// The per-data-set part of a verify --data report: data.md, data.json and figures/data_*.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "properties/data_study.hpp"

namespace siv {

// reductions: the checks reduced or skipped on this data set, and why (listed in data.md).
// Returns warnings (gnuplot missing or failing); the tables are written regardless.
std::vector<std::string> write_data_report(const std::filesystem::path& dir, const DataStudy& study,
                                           const std::string& source,
                                           const std::vector<std::string>& reductions,
                                           int height, int width, const std::string& gnuplot);

}  // namespace siv
