// The runner's decisions, on synthetic checks whose truth is known: outcomes, verdicts,
// multiplicity correction, shrinking, and independence of the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "properties/claims.hpp"
#include "properties/runner.hpp"
#include "properties/scene.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

// Observes f(case) against a bound; the case generator is the real one.
class Synthetic final : public Check {
 public:
  using Rule = std::function<Observation(const Case&)>;
  Synthetic(std::string id, Rule rule, Verdict expected = Verdict::holds, bool premise_is_a_finding = false)
      : id_(std::move(id)), rule_(std::move(rule)), expected_(expected),
        premise_is_a_finding_(premise_is_a_finding) {}
  std::string id() const override { return id_; }
  std::string claim() const override { return "T"; }
  std::string statement() const override { return "synthetic"; }
  std::vector<std::string> groups(const Profile&) const override { return {"linear"}; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return case_generator(group, profile, 0.5, 2.0, 0);
  }
  Observation observe(const Case& c) const override { return rule_(c); }
  Verdict expected(const std::string&) const override { return expected_; }
  bool premise_is_a_finding(const std::string&, const Profile&) const override { return premise_is_a_finding_; }

 private:
  std::string id_;
  Rule rule_;
  Verdict expected_;
  bool premise_is_a_finding_;
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

TEST(Runner, APremiseOnTheTargetThatFailsIsAFindingNotAPass) {
  // A model check whose premise (some sample certified) fails for an underfitting model: "not
  // met" is what the run found out, as expected, yet no case counts as a pass.
  const auto unmet = [](const Case&) {
    Observation o = upper(0, 1);
    o.assume("some sample certified", false, 0);
    return o;
  };
  const Synthetic check("T.model", unmet, Verdict::holds, true);
  const RunResult r = run_checks({&check}, options(5));
  EXPECT_EQ(r.groups[0].passes, 0);
  EXPECT_EQ(r.groups[0].verdict, Verdict::not_met);
  EXPECT_TRUE(r.groups[0].as_expected());
  EXPECT_EQ(r.exit_code(), 0);
  // And a violation where the premise holds is still a refutation.
  const Synthetic violated("T.model2", [](const Case&) { return upper(2, 1); }, Verdict::holds, true);
  EXPECT_EQ(run_checks({&violated}, options(5)).exit_code(), 1);
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
  o.registry = {&check};  // the whole budget for this check
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
  o2.registry = {&strong};
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
    const CaseRecord again = replay_case(real, parse_token(to_token(rec.c)), 0.5);
    EXPECT_EQ(again.obs.observed, rec.obs.observed);
    EXPECT_EQ(again.outcome, rec.outcome);
  }
}

// A p-value check over two groups whose p-values spread evenly over 4 decades below `scale` (a
// function of the case's seed), so that Holm's steps and its level matter; n = 1 cases are untestable (assumption not met).
class Spread final : public Check {
 public:
  Spread(std::string id, std::string claim, double scale) : id_(std::move(id)), claim_(std::move(claim)), scale_(scale) {}
  std::string id() const override { return id_; }
  std::string claim() const override { return claim_; }
  std::string statement() const override { return "synthetic p-values"; }
  std::vector<std::string> groups(const Profile&) const override { return {"linear", "trig"}; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return case_generator(group, profile, 0.5, 2.0, 64);  // steps: a token with a ladder needs them
  }
  Verdict expected(const std::string&) const override { return Verdict::refuted; }
  Observation observe(const Case& c) const override {
    Observation o;
    o.comparison = Comparison::p_value;
    o.observed = std::min(1.0, scale_ * std::exp(-static_cast<double>(c.seed % 1000) / 100));
    o.bound = 0;
    o.assume("n >= 2", c.set.n >= 2, c.set.n - 2.0);
    return o;
  }

 private:
  std::string id_, claim_;
  double scale_;
};

// An interval check: records the level it is handed, as a real rate check does.
const Synthetic interval_check("T.interval", [](const Case& c) {
  Observation o = upper(0.5, 1);
  o.level = interval_level(c);
  return o;
});

TEST(Runner, BudgetsSplitAlphaOverClaimsThenChecks) {
  const Spread x1("X.a", "X", 1), x2("X.b", "X", 1), y("Y.a", "Y", 1), z("Z.a", "Z", 1);
  const std::vector<const Check*> registry = {&x1, &x2, &y};
  EXPECT_DOUBLE_EQ(check_budget(x1, 0.01, registry), 0.01 / 2 / 2);
  EXPECT_DOUBLE_EQ(check_budget(x2, 0.01, registry), 0.01 / 2 / 2);
  EXPECT_DOUBLE_EQ(check_budget(y, 0.01, registry), 0.01 / 2);
  // Outside the registry: budgeted as if registered, the registered budgets unchanged.
  EXPECT_DOUBLE_EQ(check_budget(z, 0.01, registry), 0.01 / 3);
  const Spread x3("X.c", "X", 1);
  EXPECT_DOUBLE_EQ(check_budget(x3, 0.01, registry), 0.01 / 2 / 3);
  const Profile p = options(6).profile;
  EXPECT_EQ(family_size(x1, p), 12u);
  EXPECT_DOUBLE_EQ(case_level(x1, p, 0.01, registry), 0.01 / 4 / 12);
}

// The family and its level do not depend on the selection: a check's records come out the same
// alone and beside another claim's check (with one Holm family over the run they would not).
TEST(Runner, LevelsAndVerdictsDoNotDependOnTheSelection) {
  const Spread a("X.a", "X", 1e-2), b("Y.a", "Y", 1e-3);
  RunOptions o = options(6);
  o.alpha = 0.05;
  o.registry = {&a, &b, &interval_check};
  const RunResult alone = run_checks({&a}, o), together = run_checks({&b, &a, &interval_check}, o);
  std::vector<const CaseRecord*> a_together;
  for (const auto& r : together.records)
    if (r.c.check == "X.a") a_together.push_back(&r);
  ASSERT_EQ(alone.records.size(), a_together.size());
  int rejected = 0;
  for (std::size_t i = 0; i < alone.records.size(); ++i) {
    EXPECT_EQ(alone.records[i].c, a_together[i]->c);
    EXPECT_EQ(alone.records[i].outcome, a_together[i]->outcome);
    EXPECT_EQ(alone.records[i].p_adjusted, a_together[i]->p_adjusted);
    rejected += alone.records[i].outcome == Outcome::violation;
  }
  EXPECT_GT(rejected, 0);
  EXPECT_LT(rejected, static_cast<int>(alone.records.size()));
  for (const auto& g : together.groups)
    if (g.check == "X.a") EXPECT_DOUBLE_EQ(g.per_case_level, 0.05 / 3 / 12);
}

// Holm within a check, at its budget, over every case the check generates as stated, equals the
// closed testing procedure with Bonferroni local tests (brute force over all subsets): H_i is
// rejected iff every subset S holding i has min_{j in S} p_j <= budget / |S|. Untestable cases
// are hypotheses with p = 1.
TEST(Runner, HolmWithinACheckMatchesClosedTesting) {
  const Spread a("X.a", "X", 0.3), other("Y.a", "Y", 1e-4);
  RunOptions o = options(6);
  o.profile.max_n = 2;  // about half the cases untestable (n = 1)
  o.alpha = 0.06;       // Holm at the budget (0.03) rejects 4 of the 6 testable cases, at alpha all 6
  o.registry = {&a, &other};
  const double budget = check_budget(a, o.alpha, o.registry);
  const RunResult r = run_checks({&a, &other}, o);
  std::vector<double> p;
  std::vector<const CaseRecord*> records;
  for (const auto& rec : r.records) {
    if (rec.c.check != "X.a") continue;
    records.push_back(&rec);
    p.push_back(rec.outcome == Outcome::not_met ? 1.0 : rec.obs.observed);
  }
  ASSERT_EQ(p.size(), 12u);
  int rejected = 0, untestable = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool reject = true;
    for (unsigned subset = 0; subset < (1u << p.size()) && reject; ++subset) {
      if (!(subset >> i & 1u)) continue;
      double min_p = 1;
      for (std::size_t j = 0; j < p.size(); ++j)
        if (subset >> j & 1u) min_p = std::min(min_p, p[j]);
      reject = min_p <= budget / __builtin_popcount(subset);
    }
    untestable += records[i]->outcome == Outcome::not_met;
    if (records[i]->outcome == Outcome::not_met) continue;
    EXPECT_EQ(records[i]->outcome == Outcome::violation, reject) << "case " << i << " p " << p[i];
    rejected += reject;
  }
  EXPECT_GT(rejected, 0);
  EXPECT_LT(rejected + untestable, 12);
  EXPECT_GT(untestable, 0);
}

// An interval case gets its check's share: Case::level = budget / family size, and the check's
// confidence follows it (the real rate checks: tests below and in claims_test).
TEST(Runner, IntervalCasesAreJudgedAtTheirShare) {
  RunOptions o = options(5);
  o.alpha = 0.01;
  o.registry = {&interval_check};
  const RunResult r = run_checks({&interval_check}, o);
  for (const auto& rec : r.records) {
    EXPECT_DOUBLE_EQ(rec.c.level, 0.01 / 5);
    EXPECT_EQ(rec.obs.level, rec.c.level);
  }
  EXPECT_DOUBLE_EQ(r.groups[0].per_case_level, 0.01 / 5);
}

// The rate checks' intervals widen with a smaller share exactly as the Student t quantile at the
// case's level says: two-sided for C2.rate, one-sided (the upper end) for C2.sqrt.
TEST(Runner, RateConfidenceFollowsTheCaseLevel) {
  for (const char* id : {"C2.rate", "C2.sqrt"}) {
    const Check& check = find_check(id);
    RunOptions loose = options(1), strict = options(1);
    loose.profile.max_n = strict.profile.max_n = 4;
    loose.profile.starts = strict.profile.starts = 8;
    loose.schedules = strict.schedules = {"bridge:2"};
    loose.alpha = 0.1;
    strict.alpha = 1e-5;
    const RunResult a = run_checks({&check}, loose), b = run_checks({&check}, strict);
    ASSERT_EQ(a.records.size(), b.records.size());
    int compared = 0;
    for (std::size_t i = 0; i < a.records.size(); ++i) {
      const CaseRecord &x = a.records[i], &y = b.records[i];
      EXPECT_DOUBLE_EQ(x.c.level, case_level(check, loose.profile, loose.alpha));
      EXPECT_DOUBLE_EQ(y.c.level, case_level(check, strict.profile, strict.alpha));
      const auto detail = [](const CaseRecord& r, const std::string& key) {
        for (const auto& [k, v] : r.obs.details)
          if (k == key) return v;
        return std::numeric_limits<double>::quiet_NaN();
      };
      const double points = detail(x, "window_points");
      if (std::isnan(points)) continue;
      const bool one_sided = std::string(id) == "C2.sqrt";
      const auto quantile = [&](double level) {
        return student_t_quantile(points - 2, 1 - (one_sided ? level : level / 2));
      };
      const double wx = detail(x, "rate_hi") - detail(x, "rate"), wy = detail(y, "rate_hi") - detail(y, "rate");
      if (!(wx > 0)) continue;
      EXPECT_NEAR(wy / wx, quantile(y.c.level) / quantile(x.c.level), 1e-6 * wy / wx) << id;
      EXPECT_EQ(x.obs.level, x.c.level);
      ++compared;
    }
    EXPECT_GT(compared, 0) << id;
  }
}

// Replay: a token carries the level its run judged the case at, so it replays to the run's
// outcome whatever either run selected; a token without level= (older) is judged at the level
// the replay is given.
TEST(Runner, TokensReplayToTheRunsOutcomeUnderAnySelection) {
  const Spread a("X.a", "X", 1e-2), b("Y.a", "Y", 1e-3);
  RunOptions o = options(6);
  o.alpha = 0.05;
  o.registry = {&a, &b};
  for (const auto& selection : {std::vector<const Check*>{&a}, std::vector<const Check*>{&a, &b}}) {
    const RunResult r = run_checks(selection, o);
    int rejected = 0;
    for (const auto& rec : r.records) {
      const Check& check = rec.c.check == "X.a" ? static_cast<const Check&>(a) : b;
      const Case c = parse_token(to_token(rec.c));
      EXPECT_GT(c.level, 0);
      EXPECT_EQ(replay_case(check, c, 0.5).outcome, rec.outcome) << to_token(rec.c);
      rejected += rec.outcome == Outcome::violation;
    }
    EXPECT_GT(rejected, 0);
    for (const auto& g : r.groups)
      if (g.counterexample)
        EXPECT_EQ(replay_case(g.check == "X.a" ? static_cast<const Check&>(a) : b,
                              parse_token(to_token(g.counterexample->c)), 0.5).outcome,
                  Outcome::violation);
  }
  const RunResult r = run_checks({&a}, o);
  const auto testable = std::find_if(r.records.begin(), r.records.end(),
                                     [](const CaseRecord& rec) { return rec.outcome != Outcome::not_met; });
  ASSERT_NE(testable, r.records.end());
  Case old = testable->c;
  old.level = 0;
  const double p = a.observe(old).observed;
  EXPECT_EQ(replay_case(a, old, p).outcome, Outcome::violation);
  EXPECT_EQ(replay_case(a, old, p / 2).outcome, Outcome::pass);
}

// Checks without a step count (adaptive solvers) carry no ladder, so their tokens parse back
// (they once carried N=0;L=5, which parse_token rejects) and replay to the same record.
TEST(Runner, AdaptiveChecksReplayFromTheirTokens) {
  for (const char* id : {"C1.ode", "C1.law.ode"}) {
    const Check& real = find_check(id);
    RunOptions o = options(2);
    o.profile.paper_case = true;  // the first case: n = 5, d = 2
    o.profile.max_n = 3;
    o.profile.max_d = 2;
    o.schedules = {"linear"};
    const RunResult r = run_checks({&real}, o);
    ASSERT_FALSE(r.records.empty()) << id;
    for (const auto& rec : r.records) {
      const std::string token = to_token(rec.c);
      Case parsed;
      ASSERT_NO_THROW(parsed = parse_token(token)) << token;
      const CaseRecord again = replay_case(real, parsed, o.alpha);
      EXPECT_EQ(again.c, rec.c) << token;
      const double a = again.obs.observed, b = rec.obs.observed;
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << token << ": " << a << " vs " << b;
      EXPECT_EQ(again.obs.details, rec.obs.details) << token;
      EXPECT_EQ(again.outcome, rec.outcome) << token;
    }
  }
}

}  // namespace
}  // namespace siv
