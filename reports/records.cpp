#include "reports/records.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace siv {
namespace {

std::string to_string(Comparison c) {
  switch (c) {
    case Comparison::upper: return "upper";
    case Comparison::lower: return "lower";
    case Comparison::p_value: return "p-value";
  }
  return "unknown";
}

}  // namespace

nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

nlohmann::json case_json(const CaseRecord& r) {
  const Case& c = r.c;
  nlohmann::json j;
  j["claim"] = c.check.substr(0, c.check.find('.'));
  j["check"] = c.check;
  j["group"] = c.group;
  j["variant"] = c.variant;
  j["schedule"] = c.schedule;
  j["n"] = c.set.n;
  j["d"] = c.set.d;
  j["separation"] = c.set.separation;
  j["steps"] = c.steps;
  j["h"] = c.steps ? json_number(1.0 / c.steps) : nlohmann::json();
  j["ladder"] = c.ladder;
  j["starts"] = c.starts;
  j["eps"] = c.diffusion;
  j["error_model"] = c.error_model;
  j["seed"] = c.seed;
  j["token"] = to_token(c);
  j["comparison"] = to_string(r.obs.comparison);
  j["observed"] = json_number(r.obs.observed);
  j["bound"] = json_number(r.obs.bound);
  j["ratio"] = json_number(r.obs.ratio());
  if (r.obs.comparison == Comparison::p_value) j["p_adjusted"] = json_number(r.p_adjusted);
  nlohmann::json assumptions = nlohmann::json::array();
  for (const auto& a : r.obs.assumptions)
    assumptions.push_back({{"name", a.name}, {"held", a.held}, {"margin", json_number(a.margin)}});
  j["assumptions"] = assumptions;
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [key, value] : r.obs.details) details[key] = json_number(value);
  j["details"] = details;
  j["outcome"] = to_string(r.outcome);
  if (!r.obs.failure.empty()) j["failure"] = r.obs.failure;
  return j;
}

nlohmann::json group_json(const GroupResult& g, const RunResult&) {
  nlohmann::json j;
  j["claim"] = g.claim;
  j["check"] = g.check;
  j["statement"] = g.statement;
  j["group"] = g.group;
  j["variant"] = g.variant;
  j["mutant"] = g.mutant;
  if (g.mutant) j["description"] = g.description;
  j["verdict"] = to_string(g.verdict);
  j["expected"] = to_string(g.expected);
  j["as_expected"] = g.as_expected();
  j["cases"] = g.cases;
  j["passes"] = g.passes;
  j["violations"] = g.violations;
  j["assumption_not_met"] = g.not_met;
  j["failures"] = g.failures;
  j["comparison"] = to_string(g.comparison);
  if (g.comparison == Comparison::p_value) j["min_p"] = json_number(g.min_p);
  else {
    j["max_ratio"] = json_number(g.max_ratio);
    j["median_ratio"] = json_number(g.median_ratio);
  }
  if (g.counterexample) {
    j["counterexample"] = case_json(*g.counterexample);
    j["shrink_steps"] = g.shrink_steps;
  }
  nlohmann::json coverage = nlohmann::json::object();
  for (const auto& [name, count] : g.coverage) coverage[name] = count;
  j["coverage"] = coverage;
  j["warnings"] = g.warnings;
  j["seconds"] = g.seconds;
  return j;
}

std::string cases_jsonl(const RunResult& run) {
  std::string out;
  for (const auto& r : run.records) {
    out += case_json(r).dump();
    out += '\n';
  }
  return out;
}

std::string verdict_lines(const RunResult& run) {
  std::ostringstream os;
  for (const auto& g : run.groups) {
    os << std::left << std::setw(14) << g.check << std::setw(24)
       << (g.mutant ? "mutant " + g.variant : g.group) << std::setw(20) << to_string(g.verdict)
       << (g.as_expected() ? "           " : "UNEXPECTED ") << g.cases << " cases: " << g.passes
       << " pass, " << g.violations << " violated, " << g.not_met << " not met";
    if (g.failures) os << ", " << g.failures << " failed";
    if (g.comparison == Comparison::p_value) os << "; min p " << std::setprecision(3) << g.min_p;
    else if (g.passes + g.violations)
      os << "; obs/bound max " << std::setprecision(3) << g.max_ratio << " median "
         << g.median_ratio;
    os << "\n";
    if (g.counterexample)
      os << "    counterexample (" << g.shrink_steps << " shrink steps): " << g.counterexample->c
         << "\n    replay: siverify verify --replay '" << to_token(g.counterexample->c) << "'\n";
    for (const auto& w : g.warnings) os << "    warning: " << w << "\n";
  }
  return os.str();
}

}  // namespace siv
