// Statistics for randomized checks (THEORY.md section 5). Quantiles and p-values come from
// Boost.Math distributions.
#pragma once

#include <vector>

namespace siv {

struct Interval {
  double lo = 0, hi = 0;
  bool contains(double v) const { return lo <= v && v <= hi; }  // false for NaN
};

// Ordinary least squares y = intercept + slope x with the textbook standard errors
// (residual variance RSS / (n - 2)). Needs n >= 3 points and x not all equal.
struct LineFit {
  double slope = 0, intercept = 0;
  double slope_se = 0, intercept_se = 0;
  double r2 = 0;            // 1 - RSS / TSS (1 when TSS = 0 and the fit is exact)
  double residual_sd = 0;   // sqrt(RSS / (n - 2))
  int n = 0;
  // Two-sided Student-t intervals with n - 2 degrees of freedom, confidence in (0, 1).
  Interval slope_interval(double confidence) const;
  Interval intercept_interval(double confidence) const;
};
LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y);

// Quantile of Student t with dof degrees of freedom.
double student_t_quantile(double dof, double probability);
// Quantile of the standard normal distribution.
double normal_quantile(double probability);

// Pearson chi-square test of counts against equal expected counts: statistic
// sum (c - E)^2 / E with E = total / k, dof = k - 1, p = P[chi2_dof >= statistic].
struct ChiSquareTest {
  double statistic = 0;
  int dof = 0;
  double p_value = 1;
};
ChiSquareTest chi_square_uniform(const std::vector<long>& counts);
// The same against expected counts total * probabilities[k] (probabilities > 0, summing to 1).
ChiSquareTest chi_square_test(const std::vector<long>& counts, const std::vector<double>& probabilities);

// X ~ Binomial(n, p): P[X >= k] and P[X <= k] (exact, through the incomplete beta function).
double binomial_upper_tail(long k, long n, double p);
double binomial_lower_tail(long k, long n, double p);

// Variance test: sum_squares / variance ~ chi2_dof under the null. The p-value is two-sided,
// 2 min(P[chi2 <= S], P[chi2 >= S]) capped at 1: it rejects too small and too large spreads.
struct VarianceTest {
  double statistic = 0;   // sum_squares / variance
  double dof = 0;
  double p_value = 1;
};
VarianceTest variance_test(double sum_squares, double variance, double dof);

// Multiple-testing adjustments; adjusted p-values in the input order, each capped at 1.
// Reject hypothesis i at family-wise level a when adjusted[i] <= a. Holm's family may hold more
// hypotheses than p (family >= p.size(); 0: p.size()): the others count as p = 1, never rejected.
std::vector<double> bonferroni(const std::vector<double>& p);
std::vector<double> holm(const std::vector<double>& p, std::size_t family = 0);
// Holm's step-down at family-wise level a as one single-test level per hypothesis: p[i] <= level[i]
// exactly when Holm rejects i. Sorted ascending, step r (0-based) tests at a / (family - r); past
// the first step that fails, every hypothesis keeps that step's level (its p is above it).
std::vector<double> holm_levels(const std::vector<double>& p, std::size_t family, double a);

// Quantile of chi-square with dof degrees of freedom.
double chi_square_quantile(double dof, double probability);

}  // namespace siv
