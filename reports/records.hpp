// Run results as JSON: one tidy, schema-versioned record per case (cases.jsonl, described by
// schemas/cases.schema.json) and the verdict lines for a terminal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "properties/runner.hpp"

namespace siv {

inline constexpr const char* kCaseSchema = "siverify-case/2";

// How a run was asked for: recorded in summary.json and the baseline.
struct RunSettings {
  std::string profile;
  std::uint64_t seed = 0;
  int threads = 1;
  double alpha = 0;
  std::string claims;  // as given to --claims; empty = all
  bool claims_as_stated = true;
  bool mutants = false;
  Profile sizes = make_profile("quick");  // the profile's values after any overrides
  std::string data = {};  // verify --data: the data spec the training sets are subsets of
  std::string command = {};  // the command line, for provenance comments and the manifest
};

// JSON has no NaN or infinity: those become null (the outcome already says failure).
nlohmann::json json_number(double v);
// 64-bit seeds as decimal strings: JSON readers that parse numbers as doubles (jq) round them.
std::string seed_text(std::uint64_t seed);

// run_id: identifies the run's settings and build (summary.hpp's run_id()).
nlohmann::json case_json(const CaseRecord& r, const std::string& run_id);
nlohmann::json group_json(const GroupResult& g, const RunResult& run);

// One JSON object per line, in run order; numbers print in shortest round-trip form, so the same
// seed gives byte-identical output.
std::string cases_jsonl(const RunResult& run, const std::string& run_id);

// "refuted (expected)" for a refutation the harness predicts, "holds", "refuted (UNEXPECTED)".
std::string verdict_text(const GroupResult& g);

// "C2.sqrt  power:0.25  refuted (expected)  8 cases: 0 pass, 8 violations; ..."
std::string verdict_lines(const RunResult& run);

}  // namespace siv
