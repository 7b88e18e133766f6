#include "reports/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <Eigen/Core>
#include <boost/version.hpp>

#include "siverify_provenance.hpp"

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

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : text) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

double detail_of(const CaseRecord& r, const std::string& key) {
  for (const auto& [k, v] : r.obs.details)
    if (k == key) return v;
  return std::nan("");
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

std::vector<CountTable> count_tables(const GroupResult& g, const RunResult& run) {
  std::vector<CountTable> out;
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    if (r.outcome == Outcome::failure) continue;
    for (const auto& row : r.obs.rows) {
      std::vector<std::string> labels, values;
      double count = std::nan("");
      for (const auto& [key, cell] : row.cells) {
        if (const auto* text = std::get_if<std::string>(&cell)) {
          labels.push_back(key);
          values.push_back(*text);
        } else if (key == "count") {
          count = std::get<double>(cell);
        }
      }
      if (std::isnan(count) || labels.empty()) continue;
      auto table = std::find_if(out.begin(), out.end(),
                                [&](const CountTable& t) { return t.table == row.table; });
      if (table == out.end()) table = out.insert(out.end(), {row.table, labels, {}});
      auto entry = std::find_if(table->counts.begin(), table->counts.end(),
                                [&](const auto& e) { return e.first == values; });
      if (entry == table->counts.end()) table->counts.push_back({values, count});
      else entry->second += count;
    }
  }
  return out;
}

std::string group_label(const GroupResult& g) {
  return g.mutant ? g.group + " / mutant " + g.variant : g.group;
}

double min_adjusted_p(const GroupResult& g, const RunResult& run) {
  double p = std::nan("");
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    if (r.obs.comparison == Comparison::p_value &&
        (r.outcome == Outcome::pass || r.outcome == Outcome::violation) && !(r.p_adjusted >= p))
      p = r.p_adjusted;
  }
  return p;
}

std::string format_number(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
  return buffer;
}

namespace {

// Significant digits %g printed: "0.999" -> 3, "1" -> 1, "1.23e+04" -> 3.
int significant_digits(const std::string& text) {
  int digits = 0;
  bool leading = true;
  for (const char ch : text) {
    if (ch == 'e' || ch == 'E') break;
    if (ch < '0' || ch > '9') continue;
    if (leading && ch == '0') continue;
    leading = false;
    ++digits;
  }
  return digits;
}

std::string printf_text(const char* format, int digits, double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, digits, v);
  std::string text = buffer;
  // "-0.00": a value that rounds to zero has no sign worth printing.
  if (text[0] == '-' && text.find_first_of("123456789") == std::string::npos) text.erase(0, 1);
  return text;
}

}  // namespace

std::string format_distinct(double v, int digits) {
  if (!std::isfinite(v)) return format_number(v);
  constexpr int kMaxDigits = 6;
  for (int d = digits; d < kMaxDigits; ++d) {
    const std::string text = printf_text("%.*g", d, v);
    if (std::strtod(text.c_str(), nullptr) == v || significant_digits(text) >= d) return text;
  }
  const std::string text = printf_text("%.*g", kMaxDigits, v);
  return std::strtod(text.c_str(), nullptr) == v ? text : printf_text("%#.*g", kMaxDigits, v);
}

std::string format_to_error(double v, double error) {
  if (!std::isfinite(v) || !std::isfinite(error) || !(error > 0)) return format_distinct(v);
  // Exponent of the last digit kept: the error's second significant digit.
  const int last = static_cast<int>(std::floor(std::log10(error))) - 1;
  const int lead = v == 0 ? last : static_cast<int>(std::floor(std::log10(std::fabs(v))));
  if (last <= 0 && last >= -6 && lead < 6) return printf_text("%.*f", -last, v);
  return printf_text("%.*e", std::max(0, lead - last), v);
}

std::string key_figure(const GroupResult& g, const RunResult& run) {
  if (g.passes + g.violations == 0) return "n/a";
  const auto agg = detail_aggregates(g, run);
  if (const auto rate = agg.find("rate"); rate != agg.end()) {
    std::string text = "rate " + format_number(rate->second.median);
    const auto lo = agg.find("rate_lo"), hi = agg.find("rate_hi");
    if (lo != agg.end() && hi != agg.end())
      text += " [" + format_number(lo->second.median) + ", " + format_number(hi->second.median) +
              "]";
    if (g.worst)
      if (const double worst = detail_of(run.records[*g.worst], "rate"); !std::isnan(worst))
        text += ", worst " + format_number(worst);
    if (const auto p = agg.find("predicted_rate"); p != agg.end())
      text += ", predicted " + format_number(p->second.median);
    return text;
  }
  if (g.comparison == Comparison::p_value)
    return "min p " + format_number(g.min_p) + " (Holm " + format_number(min_adjusted_p(g, run)) +
           ")";
  if (g.verdict == Verdict::exact)
    return "observed at the floor on " + std::to_string(g.passes) + " cases";
  if (!std::isnan(g.worst_slack))
    return "slack median " + format_number(g.median_slack) + ", worst " +
           format_number(g.worst_slack);
  // A sign or count condition (bound 0): no relative slack, the worst observation says it all.
  const CaseRecord& worst = run.records[g.worst.value_or(g.records.front())];
  return "worst observed " + format_number(worst.obs.observed) + " (bound " +
         format_number(worst.obs.bound) + ")";
}

std::string expected_text(const GroupResult& g) {
  return to_string(g.expected) + (g.premise_is_a_finding ? " (or not met: a finding)" : "");
}

std::string power_text(const GroupResult& g) {
  if (std::isnan(g.detectable_fraction)) return "n/a";
  std::string text = "a violation in >= " + format_number(100 * g.detectable_fraction, 2) +
                     "% of cases (" + format_number(100 * kPowerLevel, 2) + "%)";
  if (!std::isnan(g.per_case_level))
    text += (g.comparison == Comparison::p_value ? "; p <= " : "; intervals at level ") +
            format_number(g.per_case_level, 2) + " per case";
  return text;
}

nlohmann::json provenance_json() {
  return {{"siverify", SIVERIFY_VERSION},
          {"git_commit", SIVERIFY_GIT_COMMIT},
          {"compiler", SIVERIFY_COMPILER},
          {"flags", SIVERIFY_FLAGS},
          {"os", SIVERIFY_OS},
          {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                        "." + std::to_string(EIGEN_MINOR_VERSION)},
          {"boost", std::to_string(BOOST_VERSION / 100000) + "." +
                        std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                        std::to_string(BOOST_VERSION % 100)}};
}

std::string build_provenance_lines(const std::string& prefix) {
  const auto p = provenance_json();
  auto text = [&](const char* key) { return p.at(key).get<std::string>(); };
  return prefix + "Generated by siverify " + text("siverify") + " (commit " + text("git_commit") +
         "; " + text("compiler") + "; " + text("os") + ")\n";
}

std::string provenance_lines(const RunSettings& s, const std::string& prefix) {
  std::string lines = build_provenance_lines(prefix);
  std::string command = s.command.empty() ? "(command line not recorded)" : s.command;
  for (char& ch : command)
    if (ch == '\n' || ch == '\r') ch = ' ';  // one comment line
  lines += prefix + "run " + run_id(s) + ": " + command + "\n";
  lines += prefix + "profile " + s.profile + " (" + std::to_string(s.sizes.cases) +
           " cases per group, " + std::to_string(s.sizes.starts) + " starts, n <= " +
           std::to_string(s.sizes.max_n) + ", d <= " + std::to_string(s.sizes.max_d) + "), seed " +
           seed_text(s.seed) + ", alpha " + format_number(s.alpha) + ", claims " +
           (s.claims.empty() ? "all" : s.claims) + (s.mutants ? ", mutants" : "") +
           ", training sets " + (s.data.empty() ? std::string("generated") : "from " + s.data) + "\n";
  return lines;
}

namespace {

nlohmann::json profile_json(const Profile& p) {
  return {{"name", p.name},     {"cases", p.cases},   {"starts", p.starts},
          {"max_n", p.max_n},   {"max_d", p.max_d},   {"ladder", p.ladder},
          {"shrink_budget", p.shrink_budget},         {"paper_case", p.paper_case}};
}

// What determines the results (threads do not).
nlohmann::json determining(const RunSettings& s) {
  return {{"profile", profile_json(s.sizes)}, {"seed", seed_text(s.seed)}, {"alpha", s.alpha},
          {"claims", s.claims.empty() ? "all" : s.claims}, {"claims_as_stated", s.claims_as_stated},
          {"mutants", s.mutants}, {"provenance", provenance_json()}};
}

}  // namespace

std::string run_id(const RunSettings& s) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx",
                static_cast<unsigned long long>(fnv1a(determining(s).dump())));
  return buffer;
}

nlohmann::json settings_json(const RunSettings& s) {
  return {{"run_id", run_id(s)},
          {"profile", s.profile},
          {"profile_values", profile_json(s.sizes)},
          {"seed", seed_text(s.seed)},
          {"threads", s.threads},
          {"alpha", s.alpha},
          {"claims", s.claims.empty() ? "all" : s.claims},
          {"claims_as_stated", s.claims_as_stated},
          {"mutants", s.mutants},
          {"provenance", provenance_json()},
          {"data", s.data.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.data)}};
}

nlohmann::json summary_json(const RunResult& run, const RunSettings& settings) {
  nlohmann::json groups = nlohmann::json::array();
  int unexpected = 0;
  for (const auto& g : run.groups) {
    nlohmann::json j = group_json(g, run);
    unexpected += !g.as_expected();
    j["label"] = group_label(g);
    j["verdict_text"] = verdict_text(g);
    j["key_figure"] = key_figure(g, run);
    j["power"]["text"] = power_text(g);
    j["min_p_adjusted"] = json_number(min_adjusted_p(g, run));
    j["replay"] = g.counterexample
                      ? nlohmann::json("siverify verify --replay '" + to_token(g.counterexample->c) + "'")
                      : nlohmann::json();
    const auto agg = detail_aggregates(g, run);
    nlohmann::json headline = nlohmann::json::object(), details = nlohmann::json::object();
    for (const auto& key : headline_keys())
      if (const auto it = agg.find(key); it != agg.end()) headline[key] = aggregate_json(it->second);
    for (const auto& [key, a] : agg) details[key] = aggregate_json(a);
    j["headline"] = headline;
    j["details"] = details;
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& t : count_tables(g, run))
      for (const auto& [values, count] : t.counts) {
        nlohmann::json row = nlohmann::json::object();
        for (std::size_t k = 0; k < t.labels.size(); ++k) row[t.labels[k]] = values[k];
        row["count"] = count;
        tables[t.table].push_back(row);
      }
    j["count_tables"] = tables;
    groups.push_back(j);
  }
  return {{"schema", kSummarySchema},
          {"settings", settings_json(settings)},
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
