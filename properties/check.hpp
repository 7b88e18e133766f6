// The claim-check framework. A Check turns one generated Case into an Observation; the runner
// groups cases, decides outcomes and verdicts, corrects statistical tests and shrinks
// counterexamples.
//
// A Check model provides:
//   | expression                  | meaning                                                    |
//   | c.id()                      | "C2.sqrt": claim and statement, unique                     |
//   | c.claim()                   | "C2": the THEORY.md claim it tests                         |
//   | c.statement()               | the precise statement checked, one line                    |
//   | c.groups(profile)           | group labels (usually schedule specs); verdicts are per group |
//   | c.generator(group, profile) | RapidCheck generator of cases of that group                |
//   | c.observe(case)             | runs the case: observed vs bound, assumptions, details     |
//   | c.expected(group)           | the verdict the harness's own precise statement predicts   |
//   | c.mutants()                 | planted false claims (variant, group) that must be refuted  |
//   | c.papers_setting()          | the first case may take the papers' n = 5, d = 2 (default)  |
//   | c.not_on_data()             | why its setting cannot be a data subset ("": it can)       |
//   | c.data_reduction(profile)   | how it runs differently on the data run ("": the same)     |
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <rapidcheck.h>

#include "properties/case.hpp"

namespace siv {

struct Profile {
  std::string name;       // quick | ci | deep
  int cases = 4;          // cases per group
  int starts = 16;        // samples per case (checks may scale it)
  int max_n = 8;          // largest training set
  int max_d = 4;          // largest dimension
  int ladder = 6;         // step-count ladder length for rate studies
  int shrink_budget = 20; // observations spent on shrinking one counterexample
  bool paper_case = true; // the first case of every group uses the papers' setting: n = 5, d = 2
  DataSets data = {};     // non-empty source: every case draws a subset of it (verify --data)
};
// Throws std::invalid_argument for an unknown name.
Profile make_profile(const std::string& name);

enum class Comparison {
  upper,    // holds when observed <= bound
  lower,    // holds when observed >= bound
  p_value,  // observed is a p-value; rejected when below the multiplicity-corrected level
};

struct Assumption {
  std::string name;
  bool held = false;
  double margin = 0;  // measured slack (positive when held), for reports
};

// One row of a tidy table a case records, e.g. table "ladder" with {steps: 64, error: 1e-3}:
// parameters (steps, k, lambda, criterion) are values in the row, never part of a key name.
using Cell = std::variant<double, std::string>;
struct Row {
  std::string table;
  std::vector<std::pair<std::string, Cell>> cells;
};

struct Observation {
  Comparison comparison = Comparison::upper;
  double observed = std::numeric_limits<double>::quiet_NaN();
  double bound = std::numeric_limits<double>::quiet_NaN();
  // Upper bounds: an observed value at or below this is exact (the error model's floor, e.g.
  // rounding); 0 unless the check knows a larger floor.
  double floor = 0;
  std::vector<Assumption> assumptions;
  std::vector<std::pair<std::string, double>> details;  // scalars only; series go in rows
  std::vector<Row> rows;
  std::string failure;  // non-empty: the case could not be evaluated (a bug or a non-finite value)
  // An interval case (a comparison with a confidence bound): the probability its interval misses,
  // the case's level (interval_level). NaN for an exact comparison; p-value cases leave it NaN.
  double level = std::numeric_limits<double>::quiet_NaN();

  bool assumptions_hold() const;
  void detail(std::string key, double value) { details.emplace_back(std::move(key), value); }
  void row(std::string table, std::vector<std::pair<std::string, Cell>> cells) {
    rows.push_back({std::move(table), std::move(cells)});
  }
  void assume(std::string name, bool held, double margin) {
    assumptions.push_back({std::move(name), held, margin});
  }
  // Fraction of the bound used: observed / bound for upper, bound / observed for lower; <= 1
  // when the case holds; NaN when the bound is 0 (a sign condition such as "rate > 0" has no
  // tightness).
  double tightness() const;
  // How far inside the bound, relative to it, in either direction: (bound - observed) / bound
  // for upper, (observed - bound) / bound for lower; negative when violated; NaN without a
  // positive bound.
  double slack() const;
  // At the floor: an upper bound's observed error at or below `floor`, or a lower bound on a
  // rate whose errors all sit at rounding (observed +inf: "any rate").
  bool exact() const {
    // A bound of 0 (a count or sign condition) leaves no room for "at the floor": it holds.
    return (comparison == Comparison::upper && observed <= floor && bound > floor) ||
           (comparison == Comparison::lower && observed == std::numeric_limits<double>::infinity());
  }
};

// The miss probability an interval case's confidence interval may have: the case's level, which
// the runner (or a replay) sets. Throws std::invalid_argument when it is not set.
double interval_level(const Case& c);

enum class Outcome { pass, violation, not_met, failure };
// exact: every measured case at the error model's floor (the strongest "holds").
enum class Verdict { exact, holds, holds_loose, refuted, not_met, failure };
std::string to_string(Outcome o);
std::string to_string(Verdict v);
std::string to_string(Comparison c);  // "upper", "lower", "p-value"

struct Mutant {
  std::string variant;      // Case::variant value
  std::string group;        // group it runs on
  std::string description;  // the false claim, in words
};

class Check {
 public:
  virtual ~Check() = default;
  virtual std::string id() const = 0;
  virtual std::string claim() const = 0;
  virtual std::string statement() const = 0;
  virtual std::vector<std::string> groups(const Profile& profile) const = 0;
  virtual rc::Gen<Case> generator(const std::string& group, const Profile& profile) const = 0;
  virtual Observation observe(const Case& c) const = 0;
  virtual Verdict expected(const std::string& group) const { (void)group; return Verdict::holds; }
  virtual std::vector<Mutant> mutants() const { return {}; }
  // True when the premise is a property of the user's target, not of a generator (C6.model's
  // "some sample certified to memorize" fails for a model that underfits): a group whose premise
  // fails everywhere is then a finding about the target ("not met", as expected), never a pass.
  // Per group and run: C6.network's and C6.criterion's premises are findings on the user's data.
  virtual bool premise_is_a_finding(const std::string& group, const Profile& profile) const {
    (void)group;
    (void)profile;
    return false;
  }
  // False when the papers' setting (n = 5, d = 2) cannot host the statement (C9.bisector: n = 2):
  // the first case of each group is then drawn like the others.
  virtual bool papers_setting() const { return true; }
  // Non-empty when the statement lives on a constructed setting that no subset of a user's data
  // set provides (C8: points on a line): verify --data leaves the check out and reports why.
  virtual std::string not_on_data() const { return {}; }
  // Non-empty when the check runs reduced on the data run `profile` describes (C3: one image;
  // the landing laws: binned beyond kDataLandingBins points); verify --data lists it.
  virtual std::string data_reduction(const Profile& profile) const {
    (void)profile;
    return {};
  }
};

// max that keeps a NaN (std::max(a, NaN) drops it): a NaN anywhere must reach the verdict.
inline double nan_max(double a, double b) { return a != a || b != b ? a + b : (a < b ? b : a); }

// Tightness below this on every case of a group that holds: the bound is reported as loose.
inline constexpr double kLooseRatio = 0.01;

// A group's power: with k independent cases, the smallest fraction of violating cases it
// detects with probability kPowerLevel is 1 - (1 - kPowerLevel)^(1/k).
inline constexpr double kPowerLevel = 0.95;
double detectable_fraction(int cases);

}  // namespace siv
