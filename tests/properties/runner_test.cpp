// The runner's decisions, on synthetic checks whose truth is known: outcomes, verdicts,
// multiplicity correction, shrinking, and independence of the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "properties/claims.hpp"
#include "properties/runner.hpp"
#include "properties/scene.hpp"

namespace siv {
namespace {

// Observes f(case) against a bound; the case generator is the real one.
class Synthetic final : public Check {
 public:
  using Rule = std::function<Observation(const Case&)>;
  Synthetic(std::string id, Rule rule, Verdict expected = Verdict::holds)
      : id_(std::move(id)), rule_(std::move(rule)), expected_(expected) {}
  std::string id() const override { return id_; }
  std::string claim() const override { return "T"; }
  std::string statement() const override { return "synthetic"; }
  std::vector<std::string> groups(const Profile&) const override { return {"linear"}; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return case_generator(group, profile, 0.5, 2.0, 0);
  }
  Observation observe(const Case& c) const override { return rule_(c); }
  Verdict expected(const std::string&) const override { return expected_; }

 private:
  std::string id_;
  Rule rule_;
  Verdict expected_;
};

Observation upper(double observed, double bound) {
  Observation o;
  o.observed = observed;
  o.bound = bound;
  return o;
}

RunOptions options(int cases, int threads = 1) {
  RunOptions o;
  o.profile = make_profile("quick");
  o.profile.cases = cases;
  o.profile.max_n = 12;
  o.profile.paper_case = false;
  o.profile.shrink_budget = 500;
  o.threads = threads;
  return o;
}

TEST(Runner, RefutesAndShrinksToTheSmallestFailingCase) {
  // "n <= 4" is false for n >= 5: the shrunk counterexample is n = 5 with everything else minimal.
  const Synthetic check("T.n", [](const Case& c) { return upper(c.set.n, 4); }, Verdict::refuted);
  const RunResult r = run_checks({&check}, options(30));
  ASSERT_EQ(r.groups.size(), 1u);
  const GroupResult& g = r.groups[0];
  EXPECT_EQ(g.verdict, Verdict::refuted);
  EXPECT_TRUE(g.as_expected());
  ASSERT_TRUE(g.counterexample.has_value());
  EXPECT_EQ(g.counterexample->c.set.n, 5);
  EXPECT_EQ(g.counterexample->c.set.d, 1);
  EXPECT_EQ(g.counterexample->c.seed, 0u);
  EXPECT_EQ(g.counterexample->outcome, Outcome::violation);
  EXPECT_EQ(r.exit_code(), 0);
}

// The papers' first case (n = 5, d = 2) replaces the generated set, unless the check declines it.
class TwoPoints final : public Check {
 public:
  explicit TwoPoints(bool papers) : papers_(papers) {}
  std::string id() const override { return papers_ ? "T.papers" : "T.two"; }
  std::string claim() const override { return "T"; }
  std::string statement() const override { return "n = 2"; }
  std::vector<std::string> groups(const Profile&) const override { return {"linear"}; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return rc::gen::map(case_generator(group, profile, 0.5, 2.0, 0), [](Case c) {
      c.set.n = 2;
      return c;
    });
  }
  Observation observe(const Case& c) const override { return upper(c.set.n, 2); }
  bool papers_setting() const override { return papers_; }

 private:
  bool papers_;
};

TEST(Runner, PapersCaseOnlyWhereTheCheckAcceptsIt) {
  RunOptions o = options(3);
  o.profile.paper_case = true;
  const TwoPoints declines(false), accepts(true);
  const RunResult r = run_checks({&declines, &accepts}, o);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].verdict, Verdict::holds);
  for (std::size_t i : r.groups[0].records) EXPECT_EQ(r.records[i].c.set.n, 2);
  EXPECT_EQ(r.groups[1].verdict, Verdict::refuted);  // its first case has n = 5
  EXPECT_EQ(r.records[r.groups[1].records.front()].c.set.n, 5);
}

TEST(Runner, HoldsWhenEveryCaseHoldsAndReportsLooseBounds) {
  const Synthetic tight("T.tight", [](const Case& c) { return upper(c.set.n, 64); });
  const Synthetic loose("T.loose", [](const Case&) { return upper(1e-6, 1); });
  const RunResult r = run_checks({&tight, &loose}, options(10));
  EXPECT_EQ(r.groups[0].verdict, Verdict::holds);
  EXPECT_EQ(r.groups[1].verdict, Verdict::holds_loose);
  EXPECT_TRUE(r.groups[1].as_expected());  // a loose bound still holds
  EXPECT_EQ(r.exit_code(), 0);
}

TEST(Runner, UnmetAssumptionsAreNeverPasses) {
  const Synthetic check("T.assume", [](const Case&) {
    Observation o = upper(0, 1);
    o.assume("never", false, -1);
    return o;
  });
  const RunResult r = run_checks({&check}, options(5));
  EXPECT_EQ(r.groups[0].passes, 0);
  EXPECT_EQ(r.groups[0].not_met, 5);
  EXPECT_EQ(r.groups[0].verdict, Verdict::not_met);
  EXPECT_EQ(r.exit_code(), 1);  // expected to hold, could not be tested
}

TEST(Runner, CoverageCountsSizesAndFailedAssumptionsAndWarnsWhenSlow) {
  const Synthetic check("T.cover", [](const Case& c) {
    Observation o = upper(0.5, 1);
    o.assume("n even", c.set.n % 2 == 0, 0);
    return o;
  });
  RunOptions o = options(12);
  o.slow_case_seconds = -1;  // every group is "slow"
  const RunResult r = run_checks({&check}, o);
  const GroupResult& g = r.groups[0];
  int n_total = 0, d_total = 0, not_met = 0;
  for (const auto& [name, count] : g.coverage) {
    if (name.rfind("n ", 0) == 0) n_total += count;
    if (name.rfind("d ", 0) == 0) d_total += count;
    if (name == "not met: n even") not_met = count;
  }
  EXPECT_EQ(n_total, 12);
  EXPECT_EQ(d_total, 12);
  EXPECT_EQ(not_met, g.not_met);
  EXPECT_GT(g.not_met, 0);
  EXPECT_TRUE(std::any_of(g.warnings.begin(), g.warnings.end(),
                          [](const std::string& w) { return w.find("slow") == 0; }));
}

TEST(Runner, NanAndThrownErrorsAreFailuresNotPasses) {
  const Synthetic nan("T.nan", [](const Case&) {
    return upper(std::numeric_limits<double>::quiet_NaN(), 1);
  });
  const Synthetic thrower("T.throw", [](const Case&) -> Observation {
    throw std::runtime_error("boom");
  });
  const Synthetic infinite("T.inf", [](const Case&) {
    return upper(std::numeric_limits<double>::infinity(), 1);
  });
  const RunResult r = run_checks({&nan, &thrower, &infinite}, options(3));
  for (const auto& g : r.groups) EXPECT_EQ(g.verdict, Verdict::failure) << g.check;
  EXPECT_EQ(r.exit_code(), 1);
}

TEST(Runner, HolmCorrectsAcrossCases) {
  // Twenty p-values of 0.004: each alone is below alpha = 0.01, but Holm over twenty is not.
  const Synthetic check("T.p", [](const Case&) {
    Observation o;
    o.comparison = Comparison::p_value;
    o.observed = 0.004;
    o.bound = 0;
    return o;
  });
  RunOptions o = options(20);
  o.alpha = 0.01;
  const RunResult r = run_checks({&check}, o);
  EXPECT_EQ(r.groups[0].verdict, Verdict::holds);
  for (const auto& rec : r.records) EXPECT_NEAR(rec.p_adjusted, 0.08, 1e-15);
  // One p-value of 1e-5 among them is rejected: 20 * 1e-5 <= 0.01.
  const Synthetic strong("T.p2", [](const Case& c) {
    Observation ob;
    ob.comparison = Comparison::p_value;
    ob.observed = c.set.n == 1 ? 1e-5 : 0.5;
    ob.bound = 0;
    return ob;
  }, Verdict::refuted);
  RunOptions o2 = options(20);
  o2.alpha = 0.01;
  const RunResult r2 = run_checks({&strong}, o2);
  EXPECT_EQ(r2.groups[0].verdict, Verdict::refuted);
}

TEST(Runner, ResultsDoNotDependOnTheThreadCount) {
  const Check& real = find_check("C2.identity");
  RunOptions one = options(4, 1), three = options(4, 3);
  one.profile.max_n = three.profile.max_n = 4;
  const RunResult a = run_checks({&real}, one), b = run_checks({&real}, three);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].c, b.records[i].c);
    EXPECT_EQ(a.records[i].obs.observed, b.records[i].obs.observed);
  }
}

TEST(Runner, ReplayReproducesTheRecordedObservation) {
  const Check& real = find_check("C2.identity");
  RunOptions o = options(2);
  o.profile.max_n = 4;
  const RunResult r = run_checks({&real}, o);
  for (const auto& rec : r.records) {
    const CaseRecord again = replay_case(real, parse_token(to_token(rec.c)), o.alpha);
    EXPECT_EQ(again.obs.observed, rec.obs.observed);
    EXPECT_EQ(again.outcome, rec.outcome);
  }
}

}  // namespace
}  // namespace siv
