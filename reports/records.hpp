// Run results as JSON: one record per case (cases.jsonl) and the verdict lines for a terminal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "properties/runner.hpp"

namespace siv {

// How a run was asked for: recorded in summary.json and the baseline.
struct RunSettings {
  std::string profile;
  std::uint64_t seed = 0;
  int threads = 1;
  double alpha = 0;
  std::string claims;  // as given to --claims; empty = all
  bool claims_as_stated = true;
  bool mutants = false;
  std::string data = {};  // verify --data: the data spec the training sets are subsets of
};

// JSON has no NaN or infinity: those become null (the outcome already says failure).
nlohmann::json json_number(double v);

nlohmann::json case_json(const CaseRecord& r);
nlohmann::json group_json(const GroupResult& g, const RunResult& run);

// One JSON object per line, in run order; numbers print in shortest round-trip form, so the same
// seed gives byte-identical output.
std::string cases_jsonl(const RunResult& run);

// "C2.sqrt  power:0.25  refuted (expected)  8 cases: 0 pass, 8 violations; max obs/bound 3.2"
std::string verdict_lines(const RunResult& run);

}  // namespace siv
