#include "theory/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace siv {
namespace {

void require_probability(double probability, const char* what) {
  if (!(probability > 0 && probability < 1))
    throw std::invalid_argument(std::string(what) + ": probability must lie in (0, 1)");
}

void require_p_values(const std::vector<double>& p) {
  for (double v : p)
    if (!(v >= 0 && v <= 1)) throw std::invalid_argument("p-values must lie in [0, 1]");
}

Interval symmetric(double centre, double se, double dof, double confidence) {
  require_probability(confidence, "confidence interval");
  const double half = student_t_quantile(dof, 0.5 + 0.5 * confidence) * se;
  return {centre - half, centre + half};
}

}  // namespace

Interval LineFit::slope_interval(double confidence) const {
  return symmetric(slope, slope_se, n - 2, confidence);
}

Interval LineFit::intercept_interval(double confidence) const {
  return symmetric(intercept, intercept_se, n - 2, confidence);
}

LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("fit_line: x and y differ in length");
  if (x.size() < 3) throw std::invalid_argument("fit_line: need at least 3 points");
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0, sxy = 0, syy = 0;  // centred sums: no cancellation of large means
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (!(sxx > 0)) throw std::invalid_argument("fit_line: x values are all equal or not finite");
  LineFit fit;
  fit.n = static_cast<int>(x.size());
  fit.slope = sxy / sxx;
  fit.intercept = my - fit.slope * mx;
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - fit.intercept - fit.slope * x[i];
    rss += r * r;
  }
  const double s2 = rss / (n - 2);
  fit.residual_sd = std::sqrt(s2);
  fit.slope_se = std::sqrt(s2 / sxx);
  fit.intercept_se = std::sqrt(s2 * (1.0 / n + mx * mx / sxx));
  fit.r2 = syy > 0 ? 1.0 - rss / syy : (rss == 0 ? 1.0 : 0.0);
  return fit;
}

double student_t_quantile(double dof, double probability) {
  require_probability(probability, "student_t_quantile");
  return boost::math::quantile(boost::math::students_t(dof), probability);
}

double normal_quantile(double probability) {
  require_probability(probability, "normal_quantile");
  return boost::math::quantile(boost::math::normal(), probability);
}

ChiSquareTest chi_square_uniform(const std::vector<long>& counts) {
  return chi_square_test(counts, std::vector<double>(counts.size(), 1.0 / static_cast<double>(counts.size())));
}

ChiSquareTest chi_square_test(const std::vector<long>& counts, const std::vector<double>& probabilities) {
  if (counts.size() < 2) throw std::invalid_argument("chi_square_test: need >= 2 categories");
  if (probabilities.size() != counts.size())
    throw std::invalid_argument("chi_square_test: one probability per category");
  const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), 0L));
  if (!(total > 0)) throw std::invalid_argument("chi_square_test: no observations");
  const double mass = std::accumulate(probabilities.begin(), probabilities.end(), 0.0);
  if (!(std::abs(mass - 1) <= 1e-12 * static_cast<double>(counts.size())))
    throw std::invalid_argument("chi_square_test: probabilities must sum to 1");
  ChiSquareTest out;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] < 0) throw std::invalid_argument("chi_square_test: negative count");
    if (!(probabilities[k] > 0)) throw std::invalid_argument("chi_square_test: probability must be > 0");
    const double expected = total * probabilities[k];
    out.statistic += (counts[k] - expected) * (counts[k] - expected) / expected;
  }
  out.dof = static_cast<int>(counts.size()) - 1;
  out.p_value = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared(out.dof), out.statistic));
  return out;
}

double binomial_upper_tail(long k, long n, double p) {
  if (n < 0 || !(p >= 0 && p <= 1)) throw std::invalid_argument("binomial: need n >= 0, p in [0, 1]");
  if (k <= 0) return 1.0;
  if (k > n) return 0.0;
  // P[X >= k] = 1 - P[X <= k - 1], taken as the complement so small tails keep their precision.
  return boost::math::cdf(
      boost::math::complement(boost::math::binomial(static_cast<double>(n), p), k - 1.0));
}

double binomial_lower_tail(long k, long n, double p) {
  if (n < 0 || !(p >= 0 && p <= 1)) throw std::invalid_argument("binomial: need n >= 0, p in [0, 1]");
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  return boost::math::cdf(boost::math::binomial(static_cast<double>(n), p),
                          static_cast<double>(k));
}

VarianceTest variance_test(double sum_squares, double variance, double dof) {
  if (!(variance > 0) || !(dof > 0) || !(sum_squares >= 0))
    throw std::invalid_argument("variance_test: need variance > 0, dof > 0, sum_squares >= 0");
  VarianceTest out;
  out.statistic = sum_squares / variance;
  out.dof = dof;
  const boost::math::chi_squared chi2(dof);
  const double lower = boost::math::cdf(chi2, out.statistic);
  const double upper = boost::math::cdf(boost::math::complement(chi2, out.statistic));
  out.p_value = std::min(1.0, 2 * std::min(lower, upper));
  return out;
}

std::vector<double> bonferroni(const std::vector<double>& p) {
  require_p_values(p);
  std::vector<double> out(p.size());
  const double m = static_cast<double>(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = std::min(1.0, m * p[i]);
  return out;
}

namespace {

// Indices of p in ascending order (ties keep their input order), after checking the family.
std::vector<std::size_t> ascending(const std::vector<double>& p, std::size_t family) {
  require_p_values(p);
  if (family < p.size()) throw std::invalid_argument("holm: family smaller than its p-values");
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] < p[b]; });
  return order;
}

}  // namespace

std::vector<double> holm(const std::vector<double>& p, std::size_t family) {
  if (family == 0) family = p.size();
  const auto order = ascending(p, family);
  std::vector<double> out(p.size());
  const double m = static_cast<double>(family);
  double running = 0;  // step-down: adjusted values are monotone in the sorted order
  for (std::size_t r = 0; r < order.size(); ++r) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(r)) * p[order[r]]));
    out[order[r]] = running;
  }
  return out;
}

std::vector<double> holm_levels(const std::vector<double>& p, std::size_t family, double a) {
  if (!(a > 0 && a < 1)) throw std::invalid_argument("holm_levels: level must lie in (0, 1)");
  const auto order = ascending(p, family);
  std::vector<double> out(p.size());
  bool stopped = false;
  double level = 0;
  for (std::size_t r = 0; r < order.size(); ++r) {
    if (!stopped) level = a / static_cast<double>(family - r);
    stopped = stopped || !(p[order[r]] <= level);
    out[order[r]] = level;
  }
  return out;
}

double chi_square_quantile(double dof, double probability) {
  require_probability(probability, "chi_square_quantile");
  return boost::math::quantile(boost::math::chi_squared(dof), probability);
}

}  // namespace siv
