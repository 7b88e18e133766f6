// Small hand-made RunResults for the report writers, and checks on what they write.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "properties/runner.hpp"

namespace siv::test {

inline CaseRecord make_record(const std::string& check, const std::string& group,
                              const std::string& variant, Outcome outcome,
                              std::vector<std::pair<std::string, double>> details,
                              std::vector<Row> rows = {}) {
  CaseRecord r;
  r.c.check = check;
  r.c.group = group;
  r.c.schedule = "power:0.25";
  r.c.variant = variant;
  r.c.steps = 64;
  r.c.ladder = 3;
  r.obs.comparison = Comparison::upper;
  r.obs.observed = outcome == Outcome::violation ? 2 : 0.5;
  r.obs.bound = 1;
  r.obs.details = std::move(details);
  r.obs.rows = std::move(rows);
  r.outcome = outcome;
  return r;
}

// Two checks of claim C9 with underscores, percent signs and stars in names; one refuted group
// with a counterexample, one mutant, one p-value group with landing counts.
inline RunResult sample_run() {
  RunResult run;
  // Statistics and verdicts as the runner computes them; p-value cases at level 0.25.
  auto add_group = [&run](GroupResult g, std::vector<CaseRecord> records) {
    g.records.clear();
    for (auto& r : records) {
      g.records.push_back(run.records.size());
      run.records.push_back(std::move(r));
    }
    summarize_group(g, run.records, std::vector<double>(run.records.size(), 0.25));
    run.groups.push_back(std::move(g));
  };
  auto ladder = [](std::vector<std::pair<double, double>> errors) {
    std::vector<Row> rows;
    for (const auto& [steps, error] : errors) rows.push_back({"ladder", {{"steps", steps}, {"error", error}}});
    return rows;
  };
  GroupResult rate;
  rate.check = "C9.rate_fit";
  rate.claim = "C9";
  rate.statement = "error <= C h^p & 50% of cases #1";
  rate.group = "power:*";
  add_group(rate, {make_record("C9.rate_fit", "power:*", "", Outcome::pass,
                               {{"rate", 1.0}, {"rate_lo", 0.9}, {"rate_hi", 1.1}, {"r2", 0.99}},
                               ladder({{16, 0.1}, {32, 0.05}, {64, 0.025}})),
                   make_record("C9.rate_fit", "power:*", "", Outcome::pass,
                               {{"rate", 1.2}, {"rate_lo", 1.0}, {"rate_hi", 1.4}, {"r2", 0.97},
                                {"term.disc", 0.01}, {"term.est", 0.02}},
                               ladder({{16, 0.2}, {32, 0.1}, {64, 0.05}}))});
  GroupResult refuted = rate;
  refuted.group = "bridge:2 eps:sigma2:1";
  refuted.expected = Verdict::refuted;
  refuted.counterexample =
      make_record("C9.rate_fit", "bridge:2 eps:sigma2:1", "", Outcome::violation, {});
  refuted.shrink_steps = 3;
  add_group(refuted, {make_record("C9.rate_fit", "bridge:2 eps:sigma2:1", "", Outcome::violation,
                                  {{"C", 3.5}, {"tightness_fine", 0.8}})});
  GroupResult mutant = refuted;
  mutant.mutant = true;
  mutant.variant = "exponent-1";
  mutant.description = "error <= C h";
  add_group(mutant, {make_record("C9.rate_fit", "bridge:2 eps:sigma2:1", "exponent-1",
                                 Outcome::violation, {})});
  GroupResult law;
  law.check = "C9.law";
  law.claim = "C9";
  law.statement = "landing law uniform";
  law.group = "linear";
  CaseRecord p = make_record("C9.law", "linear", "", Outcome::pass, {},
                             {{"landing", {{"k", 0.0}, {"count", 9.0}}},
                              {"landing", {{"k", 1.0}, {"count", 11.0}}},
                              {"landing", {{"k", 2.0}, {"count", 10.0}}}});
  p.obs.comparison = Comparison::p_value;
  p.obs.observed = 0.3;
  p.obs.bound = 0;
  p.p_adjusted = 0.6;
  add_group(law, {p});
  GroupResult unmet = law;
  unmet.group = "trig";
  unmet.expected = Verdict::not_met;
  add_group(unmet, {make_record("C9.law", "trig", "", Outcome::not_met, {})});
  return run;
}

// Counts of { and } ignoring escaped \{ and \}; balanced when every prefix has no more closes.
inline bool braces_balanced(const std::string& tex) {
  int depth = 0;
  for (std::size_t i = 0; i < tex.size(); ++i) {
    if (tex[i] == '\\') {
      ++i;
      continue;
    }
    if (tex[i] == '%') {  // comment to end of line
      while (i < tex.size() && tex[i] != '\n') ++i;
      continue;
    }
    depth += tex[i] == '{';
    depth -= tex[i] == '}';
    if (depth < 0) return false;
  }
  return depth == 0;
}

// A special character (_ & #) outside a comment and outside math ($...$) that is not escaped
// with a backslash.
inline bool has_unescaped_special(const std::string& tex) {
  bool math = false;
  for (std::size_t i = 0; i < tex.size(); ++i) {
    if (tex[i] == '\\') {
      ++i;
      continue;
    }
    if (tex[i] == '$') math = !math;
    if (math) continue;
    if (tex[i] == '%') {
      while (i < tex.size() && tex[i] != '\n') ++i;
      continue;
    }
    if (tex[i] == '_' || tex[i] == '&' || tex[i] == '#') {
      // & separates table cells: only flag it inside a cell's text, i.e. next to a letter.
      if (tex[i] == '&' && (i == 0 || tex[i - 1] == ' ')) continue;
      return true;
    }
  }
  return false;
}

// Names defined by \newcommand{\name} in values.tex.
inline std::vector<std::string> macro_names(const std::string& values) {
  std::vector<std::string> names;
  const std::string marker = "\\newcommand{\\";
  for (auto at = values.find(marker); at != std::string::npos; at = values.find(marker, at + 1)) {
    const auto begin = at + marker.size();
    names.push_back(values.substr(begin, values.find('}', begin) - begin));
  }
  return names;
}

}  // namespace siv::test
