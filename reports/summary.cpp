#include "reports/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <Eigen/Core>
#include <boost/version.hpp>

#ifndef SIVERIFY_VERSION
#error "SIVERIFY_VERSION must be defined by the build (CMake project VERSION)"
#endif

namespace siv {
namespace {

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

nlohmann::json aggregate_json(const Aggregate& a) {
  return {{"count", a.count},
          {"min", json_number(a.min)},
          {"median", json_number(a.median)},
          {"max", json_number(a.max)}};
}

}  // namespace

const std::vector<std::string>& headline_keys() {
  static const std::vector<std::string> keys = {
      "rate", "rate_lo", "rate_hi", "r2", "predicted_rate", "C", "tightness_fine",
      "variance_ratio", "v_leading_over_exact"};
  return keys;
}

std::map<std::string, Aggregate> detail_aggregates(const GroupResult& g, const RunResult& run) {
  std::map<std::string, std::vector<double>> values;
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    if (r.outcome == Outcome::failure) continue;
    for (const auto& [key, value] : r.obs.details)
      if (std::isfinite(value)) values[key].push_back(value);
  }
  std::map<std::string, Aggregate> out;
  for (const auto& [key, v] : values)
    out[key] = {static_cast<int>(v.size()), *std::min_element(v.begin(), v.end()), median_of(v),
                *std::max_element(v.begin(), v.end())};
  return out;
}

std::string group_label(const GroupResult& g) {
  return g.mutant ? g.group + " / mutant " + g.variant : g.group;
}

double min_adjusted_p(const GroupResult& g, const RunResult& run) {
  double p = 1;
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    if (r.obs.comparison == Comparison::p_value && r.outcome != Outcome::failure &&
        r.outcome != Outcome::not_met)
      p = std::min(p, r.p_adjusted);
  }
  return p;
}

std::string format_number(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
  return buffer;
}

std::string key_figure(const GroupResult& g, const RunResult& run) {
  const auto agg = detail_aggregates(g, run);
  if (const auto rate = agg.find("rate"); rate != agg.end()) {
    std::string text = "rate " + format_number(rate->second.median);
    const auto lo = agg.find("rate_lo"), hi = agg.find("rate_hi");
    if (lo != agg.end() && hi != agg.end())
      text += " [" + format_number(lo->second.median) + ", " + format_number(hi->second.median) +
              "]";
    if (const auto p = agg.find("predicted_rate"); p != agg.end())
      text += ", predicted " + format_number(p->second.median);
    return text;
  }
  if (g.comparison == Comparison::p_value)
    return "min p " + format_number(g.min_p) + ", Holm " + format_number(min_adjusted_p(g, run));
  if (g.passes + g.violations == 0) return "-";
  return "obs/bound max " + format_number(g.max_ratio) + ", median " +
         format_number(g.median_ratio);
}

nlohmann::json versions_json() {
  return {{"siverify", SIVERIFY_VERSION},
          {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                        "." + std::to_string(EIGEN_MINOR_VERSION)},
          {"boost", std::to_string(BOOST_VERSION / 100000) + "." +
                        std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                        std::to_string(BOOST_VERSION % 100)}};
}

nlohmann::json settings_json(const RunSettings& s) {
  return {{"profile", s.profile},
          {"seed", s.seed},
          {"threads", s.threads},
          {"alpha", s.alpha},
          {"claims", s.claims.empty() ? "all" : s.claims},
          {"claims_as_stated", s.claims_as_stated},
          {"mutants", s.mutants},
          {"data", s.data.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.data)}};
}

nlohmann::json summary_json(const RunResult& run, const RunSettings& settings) {
  nlohmann::json groups = nlohmann::json::array();
  int unexpected = 0;
  for (const auto& g : run.groups) {
    nlohmann::json j = group_json(g, run);
    unexpected += !g.as_expected();
    j["label"] = group_label(g);
    j["key_figure"] = key_figure(g, run);
    if (g.comparison == Comparison::p_value) j["min_p_adjusted"] = json_number(min_adjusted_p(g, run));
    if (g.counterexample)
      j["replay"] = "siverify verify --replay '" + to_token(g.counterexample->c) + "'";
    const auto agg = detail_aggregates(g, run);
    nlohmann::json headline = nlohmann::json::object(), details = nlohmann::json::object();
    for (const auto& key : headline_keys())
      if (const auto it = agg.find(key); it != agg.end()) headline[key] = aggregate_json(it->second);
    for (const auto& [key, a] : agg) details[key] = aggregate_json(a);
    j["headline"] = headline;
    j["details"] = details;
    groups.push_back(j);
  }
  return {{"schema", kSummarySchema},
          {"settings", settings_json(settings)},
          {"versions", versions_json()},
          {"totals",
           {{"groups", run.groups.size()},
            {"cases", run.records.size()},
            {"unexpected", unexpected},
            {"planned", run.planned},
            {"exit_code", run.exit_code()}}},
          {"complete", run.complete},  // false: stopped early, the counts cover part of the plan
          {"seconds", run.seconds},
          {"groups", groups}};
}

}  // namespace siv
