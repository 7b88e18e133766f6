#include "properties/check.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace siv {

Profile make_profile(const std::string& name) {
  // cases, starts, max_n, max_d, ladder, shrink_budget
  if (name == "quick") return {name, 3, 24, 6, 3, 5, 12};
  if (name == "ci") return {name, 8, 48, 12, 6, 6, 30};
  if (name == "deep") return {name, 40, 128, 64, 16, 8, 200};
  throw std::invalid_argument("unknown profile '" + name + "' (known: quick, ci, deep)");
}

bool Observation::assumptions_hold() const {
  return std::all_of(assumptions.begin(), assumptions.end(),
                     [](const Assumption& a) { return a.held; });
}

double Observation::slack() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(bound > 0)) return nan;
  switch (comparison) {
    case Comparison::upper: return (bound - observed) / bound;
    case Comparison::lower: return (observed - bound) / bound;
    case Comparison::p_value: return nan;
  }
  return nan;
}

double interval_level(const Case& c) {
  if (!(c.level > 0 && c.level < 1))
    throw std::invalid_argument(c.check + ": the case has no level for its confidence interval");
  return c.level;
}

double detectable_fraction(int cases) {
  if (cases <= 0) return std::numeric_limits<double>::quiet_NaN();
  return 1 - std::pow(1 - kPowerLevel, 1.0 / cases);
}

double Observation::tightness() const {
  // Tightness needs a positive bound (upper) or positive observation (lower) to divide by.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (comparison) {
    case Comparison::upper: return bound > 0 ? observed / bound : nan;
    case Comparison::lower: return bound > 0 && observed > 0 ? bound / observed : nan;
    case Comparison::p_value: return nan;
  }
  return nan;
}

std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::pass: return "pass";
    case Outcome::violation: return "violation";
    case Outcome::not_met: return "assumption-not-met";
    case Outcome::failure: return "failure";
  }
  return "unknown";
}

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::exact: return "exact";
    case Verdict::holds: return "holds";
    case Verdict::holds_loose: return "holds-but-loose";
    case Verdict::refuted: return "refuted";
    case Verdict::not_met: return "assumption-not-met";
    case Verdict::failure: return "failure";
  }
  return "unknown";
}

std::string to_string(Comparison c) {
  switch (c) {
    case Comparison::upper: return "upper";
    case Comparison::lower: return "lower";
    case Comparison::p_value: return "p-value";
  }
  return "unknown";
}

}  // namespace siv
