// theory/stats against independent values: closed forms (chi-square and Student t with 1 or 2
// degrees of freedom), hand-computed fits, exact binomial enumeration, a brute-force Holm
// step-down, and simulated calibration. Each calibration check also runs on a mutant (a test-side
// variant with a wrong degree of freedom or quantile) and must reject it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <numeric>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>

#include "theory/random.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

// Boost.Math is accurate to a few ulps; the closed forms below lose at most a few more.
constexpr double kRel = 1e-13;

void expect_rel(double actual, double expected) {
  EXPECT_LE(std::abs(actual - expected), kRel * std::abs(expected))
      << "actual " << actual << " expected " << expected;
}

// Exact binomial tail probabilities by summing the pmf in long double.
long double binomial_pmf(long k, long n, long double p) {
  long double c = 1;
  for (long i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c * std::pow(p, k) * std::pow(1 - p, n - k);
}

// Two-sided test that `hits` out of `trials` is consistent with rate `rate`: p-value from the
// binomial tails (doubled smaller tail), under this file's false-alarm level.
constexpr double kFalseAlarm = 1e-3;
double binomial_two_sided(long hits, long trials, double rate) {
  return std::min(1.0, 2 * std::min(binomial_lower_tail(hits, trials, rate),
                                    binomial_upper_tail(hits, trials, rate)));
}

// ---------------------------------------------------------------------------------------------
// Quantiles.

TEST(Stats, QuantilesMatchClosedForms) {
  for (double p : {0.6, 0.9, 0.95, 0.975, 0.999}) {
    expect_rel(student_t_quantile(1, p), std::tan(std::numbers::pi * (p - 0.5)));
    expect_rel(student_t_quantile(2, p), (2 * p - 1) / std::sqrt(2 * p * (1 - p)));
    expect_rel(chi_square_quantile(2, p), -2 * std::log1p(-p));
  }
  expect_rel(chi_square_quantile(1, 0.95), 3.841458820694124);  // 1.959963984540054^2
  EXPECT_THROW(chi_square_quantile(2, 1.0), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(2, 0.0), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Line fit. Hand example: x = 0..3, y = 1, 3, 2, 5. Means 1.5 and 2.75, Sxx = 5, Sxy = 5.5,
// Syy = 8.75, so slope = intercept = 1.1, residuals -0.1, 0.8, -1.3, 0.6, RSS = 2.7, s^2 = 1.35,
// se(slope) = sqrt(1.35/5), se(intercept) = sqrt(1.35 (1/4 + 1.5^2/5)), R^2 = 1 - 2.7/8.75.

TEST(Stats, LineFitHandExample) {
  const LineFit f = fit_line({0, 1, 2, 3}, {1, 3, 2, 5});
  expect_rel(f.slope, 1.1);
  expect_rel(f.intercept, 1.1);
  expect_rel(f.slope_se, std::sqrt(1.35 / 5));
  expect_rel(f.intercept_se, std::sqrt(1.35 * 0.7));
  expect_rel(f.residual_sd, std::sqrt(1.35));
  expect_rel(f.r2, 1 - 2.7 / 8.75);
  EXPECT_EQ(f.n, 4);
  const double t = 0.95 / std::sqrt(2 * 0.975 * 0.025);  // t quantile, 2 dof, closed form
  const Interval ci = f.slope_interval(0.95);
  expect_rel(ci.lo, 1.1 - t * std::sqrt(0.27));
  expect_rel(ci.hi, 1.1 + t * std::sqrt(0.27));
  const Interval ici = f.intercept_interval(0.95);
  expect_rel(ici.hi - ici.lo, 2 * t * std::sqrt(0.945));
}

TEST(Stats, LineFitExactDataAndBadInput) {
  const LineFit f = fit_line({1, 2, 4}, {-1, 1, 5});  // y = 2x - 3
  expect_rel(f.slope, 2);
  expect_rel(f.intercept, -3);
  EXPECT_LE(f.slope_se, 1e-15);
  EXPECT_EQ(f.r2, 1.0);
  EXPECT_FALSE((Interval{0, 1}.contains(std::nan(""))));
  EXPECT_THROW(fit_line({1, 2}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(fit_line({1, 1, 1}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(fit_line({1, 2, 3}, {1, 2}), std::invalid_argument);
}

// Coverage: with y = 2 + 0.7 x + N(0, 0.3^2) on x = 0..3 (2 dof), the 95% intervals cover the true
// slope and intercept in 95% of replicates. 3000 replicates, two-sided binomial test.
using IntervalRule = std::function<std::pair<Interval, Interval>(const std::vector<double>&,
                                                                 const std::vector<double>&)>;

std::pair<double, double> coverage_p(const IntervalRule& rule) {
  Rng rng(31);
  const std::vector<double> x = {0, 1, 2, 3};
  long slope_hits = 0, intercept_hits = 0;
  constexpr long kReps = 3000;
  for (long r = 0; r < kReps; ++r) {
    std::vector<double> y;
    for (double xi : x) y.push_back(2 + 0.7 * xi + 0.3 * rng.normal());
    const auto [slope, intercept] = rule(x, y);
    slope_hits += slope.contains(0.7);
    intercept_hits += intercept.contains(2.0);
  }
  return {binomial_two_sided(slope_hits, kReps, 0.95),
          binomial_two_sided(intercept_hits, kReps, 0.95)};
}

TEST(Stats, LineFitIntervalsHaveNominalCoverage) {
  const auto real = coverage_p([](const auto& x, const auto& y) {
    const LineFit f = fit_line(x, y);
    return std::make_pair(f.slope_interval(0.95), f.intercept_interval(0.95));
  });
  EXPECT_GT(real.first, kFalseAlarm);
  EXPECT_GT(real.second, kFalseAlarm);
  // Mutant: the t quantile with n instead of n - 2 degrees of freedom (too narrow).
  const auto mutant = coverage_p([](const auto& x, const auto& y) {
    const LineFit f = fit_line(x, y);
    const double t = student_t_quantile(f.n, 0.975);
    return std::make_pair(Interval{f.slope - t * f.slope_se, f.slope + t * f.slope_se},
                          Interval{f.intercept - t * f.intercept_se, f.intercept + t * f.intercept_se});
  });
  EXPECT_LT(mutant.first, kFalseAlarm);
  EXPECT_LT(mutant.second, kFalseAlarm);
}

// ---------------------------------------------------------------------------------------------
// Chi-square goodness of fit. Hand example: counts 10, 20, 30 against 20 each: statistic
// (100 + 0 + 100)/20 = 10, dof 2, p = P[chi2_2 >= 10] = exp(-5).

TEST(Stats, ChiSquareUniformHandExample) {
  const ChiSquareTest t = chi_square_uniform({10, 20, 30});
  expect_rel(t.statistic, 10);
  EXPECT_EQ(t.dof, 2);
  expect_rel(t.p_value, std::exp(-5.0));
  EXPECT_EQ(chi_square_uniform({5, 5, 5, 5}).p_value, 1.0);
  EXPECT_THROW(chi_square_uniform({3}), std::invalid_argument);
  EXPECT_THROW(chi_square_uniform({0, 0}), std::invalid_argument);
  EXPECT_THROW(chi_square_uniform({1, -1, 3}), std::invalid_argument);
}

// Unequal cells: counts 30, 10, 20 against 1/2, 1/4, 1/4 of 60: expected 30, 15, 15, statistic
// 0 + 25/15 + 25/15 = 10/3, dof 2, p = exp(-5/3).
TEST(Stats, ChiSquareAgainstProbabilitiesHandExample) {
  const ChiSquareTest t = chi_square_test({30, 10, 20}, {0.5, 0.25, 0.25});
  expect_rel(t.statistic, 10.0 / 3);
  EXPECT_EQ(t.dof, 2);
  expect_rel(t.p_value, std::exp(-5.0 / 3));
  EXPECT_THROW(chi_square_test({1, 2}, {0.5, 0.4}), std::invalid_argument);
  EXPECT_THROW(chi_square_test({1, 2}, {1.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(chi_square_test({1, 2}, {1.0}), std::invalid_argument);
}

// Calibration: 5 categories, 100 uniform draws (20 expected per cell, where the chi-square
// approximation is good); over 3000 replicates P[p < 0.05] must be 0.05.
double chi_square_calibration(const std::function<double(const std::vector<long>&)>& p_value) {
  Rng rng(5);
  long rejections = 0;
  constexpr long kReps = 3000;
  for (long r = 0; r < kReps; ++r) {
    std::vector<long> counts(5, 0);
    for (int i = 0; i < 100; ++i) ++counts[static_cast<std::size_t>(rng.index(5))];
    rejections += p_value(counts) < 0.05;
  }
  return binomial_two_sided(rejections, kReps, 0.05);
}

TEST(Stats, ChiSquareUniformIsCalibrated) {
  EXPECT_GT(chi_square_calibration([](const auto& c) { return chi_square_uniform(c).p_value; }),
            kFalseAlarm);
  // Mutant: dof = k instead of k - 1.
  EXPECT_LT(chi_square_calibration([](const auto& c) {
              const ChiSquareTest t = chi_square_uniform(c);
              return boost::math::cdf(boost::math::complement(
                  boost::math::chi_squared(static_cast<double>(c.size())), t.statistic));
            }),
            kFalseAlarm);
}

// ---------------------------------------------------------------------------------------------
// Binomial tails against exact enumeration.

TEST(Stats, BinomialTailsMatchEnumeration) {
  for (double p : {0.03, 0.3, 0.5, 0.9}) {
    for (long n : {1L, 7L, 20L}) {
      for (long k = -1; k <= n + 1; ++k) {
        long double upper = 0, lower = 0;
        for (long i = 0; i <= n; ++i) {
          if (i >= k) upper += binomial_pmf(i, n, p);
          if (i <= k) lower += binomial_pmf(i, n, p);
        }
        EXPECT_NEAR(binomial_upper_tail(k, n, p), static_cast<double>(upper),
                    kRel * static_cast<double>(upper) + 1e-300)
            << "P[X >= " << k << "], n " << n << " p " << p;
        EXPECT_NEAR(binomial_lower_tail(k, n, p), static_cast<double>(lower),
                    kRel * static_cast<double>(lower) + 1e-300)
            << "P[X <= " << k << "], n " << n << " p " << p;
      }
    }
  }
  // A small tail keeps its relative precision: P[X >= 20] = 0.03^20.
  expect_rel(binomial_upper_tail(20, 20, 0.03), std::pow(0.03, 20));
  EXPECT_EQ(binomial_upper_tail(1, 5, 0.0), 0.0);
  EXPECT_EQ(binomial_lower_tail(4, 5, 1.0), 0.0);
  EXPECT_THROW(binomial_upper_tail(1, 5, 1.5), std::invalid_argument);
}

// Mutant: P[X > k] in place of P[X >= k] differs from the enumeration by the pmf at k.
TEST(Stats, BinomialEnumerationRejectsOffByOne) {
  const double exact = static_cast<double>(binomial_pmf(3, 10, 0.4) + binomial_pmf(4, 10, 0.4) +
                                           binomial_pmf(5, 10, 0.4) + binomial_pmf(6, 10, 0.4) +
                                           binomial_pmf(7, 10, 0.4) + binomial_pmf(8, 10, 0.4) +
                                           binomial_pmf(9, 10, 0.4) + binomial_pmf(10, 10, 0.4));
  expect_rel(binomial_upper_tail(3, 10, 0.4), exact);
  EXPECT_GT(std::abs(binomial_upper_tail(4, 10, 0.4) - exact), kRel * exact);
}

// ---------------------------------------------------------------------------------------------
// Variance test. dof = 2: P[chi2_2 <= s] = 1 - exp(-s/2), so p = 2 min(1 - e, e), e = exp(-s/2).

TEST(Stats, VarianceTestClosedForm) {
  for (double s : {0.01, 0.5, 1.3862943611198906, 4.0, 20.0}) {
    const VarianceTest t = variance_test(3 * s, 3.0, 2);
    const double e = std::exp(-s / 2);
    expect_rel(t.statistic, s);
    EXPECT_EQ(t.dof, 2);
    expect_rel(t.p_value, std::min(1.0, 2 * std::min(-std::expm1(-s / 2), e)));
  }
  EXPECT_THROW(variance_test(1, 0, 2), std::invalid_argument);
  EXPECT_THROW(variance_test(-1, 1, 2), std::invalid_argument);
}

// Calibration: sums of 5 squared N(0, 2^2); over 3000 replicates each tail rejects at p < 0.05
// with rate 0.025 (a statistic below or above its mean dof tells the tails apart). The two
// binomial tests are combined by Bonferroni.
double variance_calibration(const std::function<double(double, double, double)>& p_value) {
  Rng rng(8);
  long low = 0, high = 0;
  constexpr long kReps = 3000;
  for (long r = 0; r < kReps; ++r) {
    double ss = 0;
    for (int i = 0; i < 5; ++i) ss += std::pow(2 * rng.normal(), 2);
    if (p_value(ss, 4.0, 5) < 0.05) ++(ss / 4.0 < 5 ? low : high);
  }
  return std::min(1.0, 2 * std::min(binomial_two_sided(low, kReps, 0.025),
                                    binomial_two_sided(high, kReps, 0.025)));
}

TEST(Stats, VarianceTestIsCalibrated) {
  EXPECT_GT(variance_calibration([](double ss, double v, double dof) {
              return variance_test(ss, v, dof).p_value;
            }),
            kFalseAlarm);
  // Mutant: one degree of freedom too few.
  EXPECT_LT(variance_calibration([](double ss, double v, double dof) {
              return variance_test(ss, v, dof - 1).p_value;
            }),
            kFalseAlarm);
}

// ---------------------------------------------------------------------------------------------
// Multiple testing. Hand example (m = 4): p = 0.01, 0.04, 0.03, 0.005.
// Bonferroni: 4p = 0.04, 0.16, 0.12, 0.02. Holm on the sorted 0.005, 0.01, 0.03, 0.04:
// 4 * 0.005 = 0.02, 3 * 0.01 = 0.03, 2 * 0.03 = 0.06, max(1 * 0.04, 0.06) = 0.06.

TEST(Stats, AdjustmentsHandExample) {
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const auto b = bonferroni(p), h = holm(p);
  const std::vector<double> eb = {0.04, 0.16, 0.12, 0.02}, eh = {0.03, 0.06, 0.06, 0.02};
  for (std::size_t i = 0; i < p.size(); ++i) {
    expect_rel(b[i], eb[i]);
    expect_rel(h[i], eh[i]);
  }
  EXPECT_EQ(bonferroni({0.5, 0.9}), (std::vector<double>{1.0, 1.0}));
  EXPECT_THROW(holm({0.1, std::nan("")}), std::invalid_argument);
  EXPECT_THROW(bonferroni({1.5}), std::invalid_argument);
}

// Holm's step-down procedure done directly: sort, reject H_(i) while p_(i) <= a / (m - i).
std::vector<bool> holm_rejections(const std::vector<double>& p, double a) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return p[x] < p[y]; });
  std::vector<bool> out(p.size(), false);
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!(p[order[i]] <= a / static_cast<double>(p.size() - i))) break;
    out[order[i]] = true;
  }
  return out;
}

// A family larger than its observed p-values: the others count as p = 1. holm_levels gives each
// hypothesis the single-test level of its step, so p <= level exactly when the step-down rejects.
RC_GTEST_PROP(Stats, HolmLevelsReproduceStepDownOverALargerFamily, ()) {
  const auto p = *rc::gen::container<std::vector<double>>(
      rc::gen::map(rc::gen::inRange(0, 1001), [](int k) { return k / 1000.0; }));
  const std::size_t extra = *rc::gen::inRange<std::size_t>(0, 5);
  std::vector<double> padded = p;
  padded.resize(p.size() + extra, 1.0);
  if (padded.empty()) return;
  const auto adjusted = holm(p, padded.size()), reference = holm(padded);
  for (double a : {0.001, 0.01, 0.05, 0.2}) {
    const auto reject = holm_rejections(padded, a);
    const auto levels = holm_levels(p, padded.size(), a);
    for (std::size_t i = 0; i < p.size(); ++i) {
      RC_ASSERT(adjusted[i] == reference[i]);
      RC_ASSERT((p[i] <= levels[i]) == reject[i]);
      RC_ASSERT(levels[i] >= a / static_cast<double>(padded.size()));
    }
  }
  RC_ASSERT(holm_levels(p, padded.size(), 0.05).size() == p.size());
}

TEST(Stats, HolmRejectsAFamilySmallerThanItsPValues) {
  EXPECT_THROW(holm({0.1, 0.2}, 1), std::invalid_argument);
  EXPECT_THROW(holm_levels({0.1, 0.2}, 1, 0.05), std::invalid_argument);
  EXPECT_THROW(holm_levels({0.1}, 1, 0), std::invalid_argument);
}

RC_GTEST_PROP(Stats, HolmAdjustedValuesReproduceStepDown, ()) {
  const auto p = *rc::gen::nonEmpty(rc::gen::container<std::vector<double>>(
      rc::gen::map(rc::gen::inRange(0, 1001), [](int k) { return k / 1000.0; })));
  const auto adjusted = holm(p), bonf = bonferroni(p);
  for (double a : {0.001, 0.01, 0.05, 0.2}) {
    const auto reject = holm_rejections(p, a);
    for (std::size_t i = 0; i < p.size(); ++i) {
      // 1e-12 slack: a / (m - i) and (m - i) p round differently at the boundary.
      if (std::abs(adjusted[i] - a) > 1e-12) RC_ASSERT((adjusted[i] <= a) == reject[i]);
      RC_ASSERT(adjusted[i] <= bonf[i]);
      RC_ASSERT(adjusted[i] >= p[i]);
    }
  }
}

}  // namespace
}  // namespace siv
