// Regression of claims: a baseline is the stable part of a summary (no timings, keys sorted), and
// a new run is compared with it field by field.
//
// Tolerances (docs/reports.md):
//   settings (profile, seed, alpha, claims, mutants), the group list, verdict, expected and the
//   case counts (cases, passes, violations, assumption_not_met, failures): exact;
//   rates (rate, rate_lo, rate_hi, predicted_rate) and r2 (medians over cases): absolute 0.05;
//   tightness (max_tightness, median_tightness, tightness_fine): relative 25% or absolute 0.01 (a
//   bound hundreds of times above a rounding-level observation moves with the CPU's instruction
//   set, e.g. 0.0063 to 0.0100 between AVX-512 and AVX2 builds);
//   every other number (C, variance_ratio, ... medians): relative 25%.
//   p-values are not compared: the verdict already carries their decision and they move by orders
//   of magnitude under harmless changes.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace siv {

inline constexpr const char* kBaselineSchema = "siverify-baseline/2";
inline constexpr double kRateTolerance = 0.05;      // absolute
inline constexpr double kRelativeTolerance = 0.25;  // relative
inline constexpr double kTightnessFloor = 0.01;     // absolute, for tightness fields

// A baseline file that cannot be used: missing, malformed JSON or the wrong schema.
struct BaselineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The baseline of a summary (summary_json's output).
nlohmann::json baseline_json(const nlohmann::json& summary);
// Reads and validates a baseline file; throws BaselineError naming the file.
nlohmann::json read_baseline(const std::filesystem::path& file);

struct BaselineChange {
  std::string check, group, field, baseline, now, tolerance;
};

// Every field of `now` (a baseline) that differs from `baseline` beyond its tolerance.
std::vector<BaselineChange> compare_baselines(const nlohmann::json& baseline,
                                              const nlohmann::json& now);
// "check  group  field: baseline X, now Y (tolerance T)" lines, one per change.
std::string format_changes(const std::vector<BaselineChange>& changes);

}  // namespace siv
