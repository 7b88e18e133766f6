// C4's training-loss bound as properties/error_path.hpp assembles it for C4.loss and
// C4.model.loss: the time factor against closed forms, and the verdict's ingredients on path sums
// whose statistics are known by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "properties/error_path.hpp"
#include "theory/schedule.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

ErrorPath path(double accumulated, double log_ratio) {
  ErrorPath p;
  p.accumulated = accumulated;
  p.log_ratio_max = log_ratio;
  return p;
}

TEST(LossBound, InverseVarianceIntegralMatchesClosedForms) {
  // linear: sigma = t, int_t^1 t^-2 = 1/t - 1; trig: sigma = sin(pi t / 2), int = (2/pi) cot(pi t/2).
  for (const double t : {0.05, 0.2, 0.7}) {
    EXPECT_NEAR(integral_inverse_variance(*make_schedule("linear"), t), 1 / t - 1, 1e-10 / t);
    EXPECT_NEAR(integral_inverse_variance(*make_schedule("trig"), t),
                2 / std::acos(-1.0) / std::tan(std::acos(-1.0) * t / 2), 1e-10 / t);
  }
}

TEST(LossBound, ConfidenceBoundsAndTheConcentrabilityAssumption) {
  const auto s = make_schedule("linear");
  PathErrorSums a;
  // A = 1, 2, 3: mean 2, standard error 1 / sqrt(3); log ratios 0.5, 2, 1: the largest is kept.
  a.add(path(1, 0.5));
  a.add(path(2, 2));
  a.add(path(3, 1));
  EXPECT_EQ(a.paths, 3);
  EXPECT_DOUBLE_EQ(a.log_ratio, 2);
  const MonteCarloEstimate excess{0.04, 0.01};
  const double level = 1e-3, t = 0.05, factor = 19;
  Observation obs;
  judge_loss_bound(*s, t, a, excess, factor, level, obs);
  ASSERT_EQ(obs.assumptions.size(), 1u);
  EXPECT_TRUE(obs.assumptions[0].held);
  // Each one-sided bound misses with half the level.
  EXPECT_DOUBLE_EQ(obs.observed, std::max(0.0, 2 - student_t_quantile(2, 1 - level / 2) / std::sqrt(3.0)));
  EXPECT_DOUBLE_EQ(obs.bound, t * std::exp(1.0) *
                                  std::sqrt((0.04 + normal_quantile(1 - level / 2) * 0.01) * factor));
  EXPECT_EQ(obs.level, level);
  // A density ratio beyond double range: the assumption fails rather than the bound holding.
  a.add(path(1, 700));
  Observation vacuous;
  judge_loss_bound(*s, t, a, excess, factor, level, vacuous);
  EXPECT_FALSE(vacuous.assumptions[0].held);
  EXPECT_FALSE(vacuous.assumptions_hold());
}

}  // namespace
}  // namespace siv
