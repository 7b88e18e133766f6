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

inline constexpr const char* kSummarySchema = "siverify-summary/1";

// The details every reader looks for first (when a check records them), in display order.
const std::vector<std::string>& headline_keys();

struct Aggregate {
  int count = 0;  // cases with a finite value
  double min = 0, median = 0, max = 0;
};

// Every numeric details key of the group's cases (failures excluded), sorted by key.
std::map<std::string, Aggregate> detail_aggregates(const GroupResult& g, const RunResult& run);

// "power:0.25", or "bridge:2 / mutant exponent-1" for a planted false claim.
std::string group_label(const GroupResult& g);
// Smallest Holm-adjusted p over the group's p-value cases (1 when it has none).
double min_adjusted_p(const GroupResult& g, const RunResult& run);
// One short phrase for tables: "rate 0.51 [0.44, 0.58]", "min p 0.03", "obs/bound max 0.2".
std::string key_figure(const GroupResult& g, const RunResult& run);
// "%.3g"-style text; "n/a" for NaN.
std::string format_number(double v, int digits = 3);

// Versions of siverify (CMake project VERSION), Eigen and Boost.
nlohmann::json versions_json();
nlohmann::json settings_json(const RunSettings& s);
nlohmann::json summary_json(const RunResult& run, const RunSettings& settings);

}  // namespace siv
