#include "reports/records.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "reports/summary.hpp"

namespace siv {
namespace {

nlohmann::json cell_json(const Cell& cell) {
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  return json_number(std::get<double>(cell));
}

}  // namespace

nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

std::string seed_text(std::uint64_t seed) { return std::to_string(seed); }

nlohmann::json case_json(const CaseRecord& r, const std::string& run_id) {
  const Case& c = r.c;
  nlohmann::json j;
  j["schema"] = kCaseSchema;
  j["run_id"] = run_id;
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
  j["seed"] = seed_text(c.seed);
  j["token"] = to_token(c);
  j["comparison"] = to_string(r.obs.comparison);
  j["observed"] = json_number(r.obs.observed);
  j["bound"] = json_number(r.obs.bound);
  j["floor"] = json_number(r.obs.floor);
  j["tightness"] = json_number(r.obs.tightness());
  j["slack"] = json_number(r.obs.slack());
  j["exact"] = r.obs.exact();
  j["p_adjusted"] = r.obs.comparison == Comparison::p_value ? json_number(r.p_adjusted) : nlohmann::json();
  // The false-alarm level the case was judged at (Holm's step for a p-value, an interval's miss
  // probability); null for an exact comparison.
  const double level = r.obs.comparison == Comparison::p_value ? c.level : r.obs.level;
  j["level"] = level > 0 ? json_number(level) : nlohmann::json();
  nlohmann::json assumptions = nlohmann::json::array();
  for (const auto& a : r.obs.assumptions)
    assumptions.push_back({{"name", a.name}, {"held", a.held}, {"margin", json_number(a.margin)}});
  j["assumptions"] = assumptions;
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [key, value] : r.obs.details) details[key] = json_number(value);
  j["details"] = details;
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& row : r.obs.rows) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : row.cells) values[key] = cell_json(value);
    rows[row.table].push_back(values);
  }
  j["rows"] = rows;
  j["outcome"] = to_string(r.outcome);
  j["failure"] = r.obs.failure.empty() ? nlohmann::json() : nlohmann::json(r.obs.failure);
  return j;
}

nlohmann::json group_json(const GroupResult& g, const RunResult& run) {
  nlohmann::json j;
  j["claim"] = g.claim;
  j["check"] = g.check;
  j["statement"] = g.statement;
  j["group"] = g.group;
  j["variant"] = g.variant;
  j["mutant"] = g.mutant;
  j["description"] = g.mutant ? nlohmann::json(g.description) : nlohmann::json();
  j["verdict"] = to_string(g.verdict);
  j["expected"] = to_string(g.expected);
  j["as_expected"] = g.as_expected();
  j["predicted_refutation"] = g.predicted_refutation();
  j["cases"] = g.cases;
  j["passes"] = g.passes;
  j["violations"] = g.violations;
  j["assumption_not_met"] = g.not_met;
  j["failures"] = g.failures;
  j["comparison"] = to_string(g.comparison);
  j["slack"] = {{"worst", json_number(g.worst_slack)}, {"median", json_number(g.median_slack)}};
  j["tightness"] = {{"max", json_number(g.max_tightness)}, {"median", json_number(g.median_tightness)}};
  j["min_p"] = json_number(g.min_p);
  j["power"] = {{"level", kPowerLevel},
                {"detectable_fraction", json_number(g.detectable_fraction)},
                {"per_case_level", json_number(g.per_case_level)}};
  j["worst_case"] = g.worst ? nlohmann::json(to_token(run.records[*g.worst].c)) : nlohmann::json();
  if (g.counterexample) {
    j["counterexample"] = case_json(*g.counterexample, "");
    j["counterexample"].erase("run_id");
    j["counterexample"].erase("schema");
  } else {
    j["counterexample"] = nullptr;
  }
  j["shrink_steps"] = g.shrink_steps;
  nlohmann::json coverage = nlohmann::json::array();
  for (const auto& [name, count] : g.coverage) coverage.push_back({{"class", name}, {"cases", count}});
  j["coverage"] = coverage;
  j["warnings"] = g.warnings;
  j["seconds"] = g.seconds;
  return j;
}

std::string cases_jsonl(const RunResult& run, const std::string& run_id) {
  std::string out;
  for (const auto& r : run.records) {
    out += case_json(r, run_id).dump();
    out += '\n';
  }
  return out;
}

std::string verdict_text(const GroupResult& g) {
  if (!g.as_expected()) return to_string(g.verdict) + " (UNEXPECTED)";
  if (g.predicted_refutation()) return to_string(g.verdict) + " (expected)";
  return to_string(g.verdict);
}

std::string verdict_lines(const RunResult& run) {
  std::ostringstream os;
  auto label = [](const GroupResult& g) { return g.mutant ? "mutant " + g.variant : g.group; };
  // Columns at least this wide, wider when a name needs it, always a space apart.
  std::size_t check_width = 14, group_width = 24, verdict_width = 32;
  for (const auto& g : run.groups) {
    check_width = std::max(check_width, g.check.size() + 1);
    group_width = std::max(group_width, label(g).size() + 1);
    verdict_width = std::max(verdict_width, verdict_text(g).size() + 1);
  }
  for (const auto& g : run.groups) {
    os << std::left << std::setw(static_cast<int>(check_width)) << g.check
       << std::setw(static_cast<int>(group_width)) << label(g)
       << std::setw(static_cast<int>(verdict_width)) << verdict_text(g)
       << g.cases << " cases: " << g.passes << " pass, " << g.violations << " violated, "
       << g.not_met << " not met";
    if (g.failures) os << ", " << g.failures << " failed";
    os << "; " << key_figure(g, run);
    if (!std::isnan(g.per_case_level)) os << "; level " << format_number(g.per_case_level, 2) << " per case";
    os << "\n";
    if (g.counterexample)
      os << "    counterexample (" << g.shrink_steps << " shrink steps): " << g.counterexample->c
         << "\n    replay: siverify verify --replay '" << to_token(g.counterexample->c) << "'\n";
    for (const auto& w : g.warnings) os << "    warning: " << w << "\n";
  }
  return os.str();
}

}  // namespace siv
