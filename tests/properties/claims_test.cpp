// Every claim check at the quick profile: each group comes out as the harness's own statements
// predict (holds, refuted, or assumption-not-met), and every planted false claim is refuted.
#include <gtest/gtest.h>

#include "properties/claims.hpp"
#include "properties/runner.hpp"

namespace siv {
namespace {

std::string describe(const GroupResult& g) {
  std::string s = g.check + " [" + g.group + "]" + (g.mutant ? " mutant " + g.variant : "") +
                  ": " + to_string(g.verdict) + ", expected " + to_string(g.expected);
  if (g.counterexample) s += "; counterexample " + to_token(g.counterexample->c);
  return s;
}

RunResult quick_run(bool mutants) {
  RunOptions o;
  o.profile = make_profile("quick");
  o.claims_as_stated = !mutants;
  o.mutants = mutants;
  o.threads = 2;
  std::vector<const Check*> checks;
  for (const auto& c : all_checks()) checks.push_back(c.get());
  return run_checks(checks, o);
}

TEST(Claims, EveryGroupComesOutAsDerived) {
  const RunResult r = quick_run(false);
  EXPECT_GT(r.groups.size(), 50u);
  for (const auto& g : r.groups) EXPECT_TRUE(g.as_expected()) << describe(g);
  EXPECT_EQ(r.exit_code(), 0);
}

TEST(Claims, EveryMutantIsRefuted) {
  const RunResult r = quick_run(true);
  std::size_t mutants = 0;
  for (const auto& check : all_checks()) mutants += check->mutants().size();
  ASSERT_EQ(r.groups.size(), mutants);
  EXPECT_GE(mutants, 9u);
  for (const auto& g : r.groups) {
    EXPECT_EQ(g.verdict, Verdict::refuted) << describe(g);
    EXPECT_TRUE(g.counterexample.has_value()) << describe(g);
  }
}

// The boundary of the published sqrt(h) claim is found by shrinking: the sweep's counterexample
// moves toward the largest failing exponent, which must lie below 1/2 and above 1/4.
TEST(Claims, SqrtBoundaryIsFoundBelowOneHalf) {
  RunOptions o;
  o.profile = make_profile("quick");
  o.profile.shrink_budget = 40;  // enough for P to walk from any failing value to the boundary
  o.threads = 2;
  const RunResult r = run_checks({&find_check("C2.sqrt")}, o);
  bool found = false;
  for (const auto& g : r.groups) {
    if (g.group != "power:*") continue;
    found = true;
    ASSERT_TRUE(g.counterexample.has_value());
    const auto p = make_schedule(g.counterexample->c.schedule)->exponent();
    EXPECT_LT(p, 0.5);
    EXPECT_GT(p, 0.25);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace siv
