// C9: generalization through variance (Vastola; THEORY.md section 6). The denoising target
// -z/sigma is a noisy proxy of the score: given x_t = x its mean is s*(t, x) and its covariance
// C = (alpha^2/sigma^4) Cov_w(y) (theory/denoising.hpp derives both).
//   C9.covariance: over exact joint draws (k, z), x = alpha y_k + sigma z, the residuals
//     |T - s*(x)|^2 - tr C(x), f(x) (|T - s*|^2 - tr C) and (T - s*).v have mean 0 (z-tests on sums
//     normalised by their exact conditional variances).
//   C9.bisector: for n = 2, on every line parallel to y_2 - y_1 the variance fraction
//     f = tr C / (tr C + |s*|^2) is largest on the bisector, where it is b^2/(b^2 + 4|v|^2).
//   C9.gap: the generalization claim on its toy (theory/feature_score.hpp). n = 2 points at
//     +-Delta/2 in d = 1; N models, each drawing features and P training draws, fitted on the
//     noisy target and on the zero-variance target (s* itself) with the same features and draws,
//     at F = F_1 < F_2; samples by Heun on the probability flow from mixture quantiles at t = 0.8
//     to t_min. A sample is off the points when it is farther than alpha Delta/4 from both
//     alpha y_k: between them, or outside the hull. What holds (docs/claims.md, C9), in the typical
//     model: the variance pushes samples outside the hull (more with than without it, more so at
//     larger F/P) and out of the gap between the points (fewer between them than the
//     zero-variance fit leaves). Paired one-sided sign tests over the models (the median model),
//     the claim's direction as the null.
#include <algorithm>
#include <cmath>
#include <limits>

#include "properties/claims.hpp"
#include "properties/scene.hpp"
#include "theory/denoising.hpp"
#include "theory/feature_score.hpp"
#include "theory/line_smoothing.hpp"
#include "theory/random.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

constexpr double kLevel = 1e-3;  // the runner's default family-wise level (RunOptions::alpha)
constexpr double kEps = std::numeric_limits<double>::epsilon();

std::vector<std::string> c9_schedules() { return {"linear", "trig", "bridge:2", "vp:0.1:20"}; }

// Two-sided z-test that a sum of independent, conditionally centred terms is 0, normalised by the
// sum of their exact conditional variances (not the sample variance: |target - s*|^2 is rare-event
// dominated at small sigma, and a sample variance that missed the rare events would reject). Each
// term carries a rounding bound; the test sees |sum| less their total (one-hot weights give terms
// of exact variance 0 whose computed value is rounding only).
struct CentredSum {
  double sum = 0, variance = 0, rounding = 0;
  void add(double value, double conditional_variance, double rounding_bound) {
    sum += value;
    variance += conditional_variance;
    rounding += rounding_bound;
  }
  double p_value() const {
    const double excess = std::max(0.0, std::abs(sum) - rounding);
    if (!(variance > 0)) return excess == 0 ? 1.0 : 0.0;
    return std::erfc(excess / std::sqrt(2 * variance));
  }
};

class TargetCovariance final : public Check {
 public:
  std::string id() const override { return "C9.covariance"; }
  std::string claim() const override { return "C9"; }
  std::string statement() const override {
    return "the denoising target -z/sigma has conditional mean s* and covariance alpha^2 Cov_w(y)/"
           "sigma^4: three residual means are 0 over 2000 joint draws at t = 0.05, 0.2, 0.5, 0.8 "
           "(z-tests, Bonferroni over the 12)";
  }
  std::vector<std::string> groups(const Profile&) const override { return c9_schedules(); }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return case_generator(group, profile, 0.1, 3.0, 0);
  }
  std::vector<Mutant> mutants() const override {
    return {{"sigma-squared", "bridge:2",
             "the target's covariance is alpha^2 Cov_w(y) / sigma^2 (the power of sigma of the "
             "posterior of y, not of the score)"}};
  }
  Observation observe(const Case& c) const override {
    const Scene scene(c);
    const Schedule& s = scene.schedule();
    const Mat& y = scene.oracle().points();
    const int n = scene.n(), d = scene.d();
    constexpr int kDraws = 2000;
    const std::vector<double> times{0.05, 0.2, 0.5, 0.8};
    Observation obs;
    obs.comparison = Comparison::p_value;
    const double y_max = y.colwise().norm().maxCoeff();
    double diameter = 0;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) diameter = std::max(diameter, (y.col(i) - y.col(j)).norm());
    Rng rng(c.seed, 0xc9);
    Vec v = rng.normal_vector(d);
    v /= v.norm();
    double smallest = 1;
    for (double t : times) {
      const double alpha = s.alpha(t), sigma = s.sigma(t);
      const double power = c.variant == "sigma-squared" ? sigma * sigma : 1.0;
      CentredSum trace, weighted, along;
      double mean_fraction = 0;
      for (int i = 0; i < kDraws; ++i) {
        const int k = rng.index(n);
        const Vec z = rng.normal_vector(d);
        const Vec x = alpha * y.col(k) + sigma * z;
        const TargetMoments m = denoising_target(y, alpha, sigma, x);
        const Vec residual = -z / sigma - m.score;
        const double excess = residual.squaredNorm() - power * m.trace;
        // Rounding model: the residual's entries carry ~eps d (|x| + alpha |y| + sigma |z|)/sigma^2
        // from the differences, plus alpha diam / sigma^2 times the weights' relative error
        // eps (n + d + largest logit); tr C a relative 8 eps (n + d).
        double logit = 0;
        for (int j = 0; j < n; ++j)
          logit = std::max(logit, (x - alpha * y.col(j)).squaredNorm() / (2 * sigma * sigma));
        const double e = (8 * kEps * d * (x.norm() + alpha * y_max + sigma * z.norm()) +
                          4 * kEps * (n + d + logit) * alpha * diameter) /
                         (sigma * sigma);
        const double excess_rounding =
            2 * residual.norm() * e + e * e + 8 * kEps * (n + d) * m.trace;
        trace.add(excess, m.trace_variance, excess_rounding);
        weighted.add(m.fraction * excess, m.fraction * m.fraction * m.trace_variance,
                     excess_rounding + 4 * kEps * std::abs(excess));
        along.add(residual.dot(v), m.variance_along(v), e);
        mean_fraction += m.fraction / kDraws;
      }
      const double p = std::min({trace.p_value(), weighted.p_value(), along.p_value()});
      smallest = std::min(smallest, p);
      obs.row("times", {{"t", t}, {"p", p}, {"mean_fraction", mean_fraction}});
    }
    obs.observed = std::min(1.0, smallest * 3 * static_cast<double>(times.size()));
    obs.bound = kLevel;
    return obs;
  }
};

// Rounding model of the computed fraction f = N/(N + Q), N = alpha^2 tr Cov_w, Q = |x - alpha m|^2.
// Weights carry relative error ~eps (n + d + largest logit), which N inherits twice; the residual
// r = x - alpha m carries ~eps d (|x| + alpha |y|) plus alpha |y_2 - y_1| times the weights' error.
// To first order |df| <= f (1 - f) |dN|/N + N |dQ| / (N + Q)^2 with |dQ| <= 2 |r| dr + dr^2.
double fraction_rounding(const Mat& y, double alpha, double sigma, const Vec& x,
                         const TargetMoments& m) {
  const int n = static_cast<int>(y.cols()), d = static_cast<int>(y.rows());
  double logit = 0, y_max = 0;
  for (int k = 0; k < n; ++k) {
    logit = std::max(logit, (x - alpha * y.col(k)).squaredNorm() / (2 * sigma * sigma));
    y_max = std::max(y_max, y.col(k).norm());
  }
  const double rel_w = 4 * kEps * (n + d + logit);
  const double dr =
      4 * kEps * d * (x.norm() + alpha * y_max) + alpha * (y.col(1) - y.col(0)).norm() * rel_w;
  const double total = m.signal + m.residual;
  return m.fraction * (1 - m.fraction) * (2 * rel_w + 4 * kEps * d) +
         m.signal * (2 * std::sqrt(m.residual) * dr + dr * dr) / (total * total) + 8 * kEps;
}

class BisectorMaximum final : public Check {
 public:
  std::string id() const override { return "C9.bisector"; }
  std::string claim() const override { return "C9"; }
  std::string statement() const override {
    return "n = 2: on every line parallel to y_2 - y_1 the variance fraction tr C/(tr C + |s*|^2) "
           "is largest on the bisector, where it equals b^2/(b^2 + 4|v|^2), b = alpha|y_2 - y_1|";
  }
  std::vector<std::string> groups(const Profile&) const override { return c9_schedules(); }
  bool papers_setting() const override { return false; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return rc::gen::map(case_generator(group, profile, 0.1, 3.0, 0), [](Case c) {
      c.set.n = 2;
      return c;
    });
  }
  std::vector<Mutant> mutants() const override {
    return {{"peaks-at-points", "linear",
             "on each line parallel to y_2 - y_1 the fraction peaks over a training point"}};
  }
  Observation observe(const Case& c) const override {
    const Scene scene(c);
    const Schedule& s = scene.schedule();
    const Mat& y = scene.oracle().points();
    Observation obs;
    obs.assume("n = 2", scene.n() == 2, 0);
    if (scene.n() != 2) return obs;
    const int d = scene.d();
    const Vec delta = y.col(1) - y.col(0), mid = 0.5 * (y.col(0) + y.col(1));
    const Vec e = delta / delta.norm();
    Rng rng(c.seed, 0xb15);
    double worst = 0, largest = 0;
    for (int i = 0; i < c.starts; ++i) {
      const double t = 0.02 + 0.96 * rng.uniform();
      const double alpha = s.alpha(t), sigma = s.sigma(t), b = alpha * delta.norm();
      Vec v = rng.normal_vector(d);
      v -= v.dot(e) * e;
      v *= b * std::abs(rng.normal()) / std::max(v.norm(), 1e-300);
      const double a = b * rng.normal();
      // The line through alpha mid + v parallel to e: a point on it, its bisector crossing, and
      // (the mutant) the crossing over y_1.
      const Vec on_bisector = alpha * mid + v;
      const Vec x =
          c.variant == "peaks-at-points" ? Vec(alpha * y.col(0) + v) : Vec(on_bisector + a * e);
      // The closed form at the offset the rounded points actually have.
      const Vec offset = on_bisector - alpha * mid;
      const double r = (offset - offset.dot(e) * e).norm();
      const double closed = bisector_fraction(b, r);
      const TargetMoments at_x = denoising_target(y, alpha, sigma, x);
      const TargetMoments at_b = denoising_target(y, alpha, sigma, on_bisector);
      const double f_x = at_x.fraction, f_b = at_b.fraction;
      // The closed form's own rounding: 8 eps relative, and |d f/d r| = 8 b^2 r/(b^2 + 4 r^2)^2
      // times r's rounding.
      const double dr = 4 * kEps * d * (on_bisector.norm() + alpha * mid.norm());
      const double tol_x = fraction_rounding(y, alpha, sigma, x, at_x);
      const double tol_b = fraction_rounding(y, alpha, sigma, on_bisector, at_b) + 8 * kEps +
                           8 * b * b * r * dr / std::pow(b * b + 4 * r * r, 2);
      if (c.variant == "peaks-at-points") {
        worst = nan_max(worst, (f_b - f_x) / (tol_x + tol_b));
      } else {
        worst = nan_max(worst,
                        std::max((f_x - closed) / (tol_x + tol_b), std::abs(f_b - closed) / tol_b));
      }
      largest = nan_max(largest, f_b);
    }
    obs.observed = worst;
    obs.bound = 1;
    obs.detail("largest_bisector_fraction", largest);
    return obs;
  }
};


// C9.gap's setting (prototyped over P = 16-512, F = 4-1024, t_min = 0.05-0.4; docs/claims.md).
constexpr int kGapModels = 160;      // independently trained models per case (the paper: 100)
constexpr int kGapSamples = 32;      // P
constexpr int kGapFewFeatures = 8;   // F_1 (F/P = 1/4)
constexpr int kGapManyFeatures = 128;  // F_2 (F/P = 4)
constexpr double kGapCutoff = 0.2;   // t_min: training times and the end of sampling
constexpr double kGapStart = 0.8;    // sampling starts from exact quantiles of rho_t here
constexpr int kGapStarts = 8;        // quantile starts per model
constexpr int kGapSteps = 16;        // Heun steps from kGapStart to kGapCutoff
constexpr double kGapWindow = 0.25;  // off the points: farther than alpha Delta/4 from both

// x with F(x) = u for the 1-D mixture (1/n) sum_k N(c_k, var): bisection on [min c - 40 sd,
// max c + 40 sd] to a relative 1e-14 of the bracket.
double mixture_quantile(const Vec& centres, double var, double u) {
  const double sd = std::sqrt(var);
  double lo = centres.minCoeff() - 40 * sd, hi = centres.maxCoeff() + 40 * sd;
  while (hi - lo > 1e-14 * (hi - lo + std::abs(lo) + std::abs(hi)))
    (mixture_cdf(centres, var, 0.5 * (lo + hi)) < u ? lo : hi) = 0.5 * (lo + hi);
  return 0.5 * (lo + hi);
}

// One model pair's sample fractions at one rung: off the points between them, and outside.
struct GapFractions {
  double between = 0, outside = 0;
};
GapFractions gap_fractions(const Mat& x, double a_lo, double a_hi, double window) {
  GapFractions g;
  for (Eigen::Index i = 0; i < x.cols(); ++i) {
    const double v = x(0, i);
    if (std::min(std::abs(v - a_lo), std::abs(v - a_hi)) <= window) continue;
    (v > a_lo && v < a_hi ? g.between : g.outside) += 1.0 / static_cast<double>(x.cols());
  }
  return g;
}

// Paired sign counts: how often a > b and a < b (ties dropped, as the sign test does).
struct SignCount {
  long above = 0, below = 0;
  void add(double a, double b) {
    above += a > b;
    below += a < b;
  }
  // One-sided p-values: "a <= b" refuted by many above, "a >= b" refuted by many below.
  double p_not_above() const { return binomial_upper_tail(above, above + below, 0.5); }
  double p_not_below() const { return binomial_upper_tail(below, above + below, 0.5); }
};

class GapFilling final : public Check {
 public:
  std::string id() const override { return "C9.gap"; }
  std::string not_on_data() const override {
    return "its setting is two points in d = 1 with models fitted on random features";
  }
  std::string claim() const override { return "C9"; }
  std::string statement() const override {
    return "random-feature eps-models (P = 32, F = 8 and 128, t_min = 0.2, 160 models, n = 2, "
           "d = 1): in no fewer than half the models does the noisy-target fit put at least as many "
           "samples outside the hull as the same model fitted to s* (F = 128), with an excess at "
           "least as large as at F = 8, and no more between the points (paired sign tests, "
           "Bonferroni over the 3)";
  }
  std::vector<std::string> groups(const Profile&) const override { return {"linear"}; }
  bool papers_setting() const override { return false; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    // No shrinking: only the spacing and the seed matter, and each observation trains 320 models.
    return rc::gen::noShrink(rc::gen::map(case_generator(group, profile, 1.0, 3.0, 0), [](Case c) {
      c.set.n = 2;
      c.set.d = 1;
      return c;
    }));
  }
  std::vector<Mutant> mutants() const override {
    return {{"zero-as-much", "linear",
             "the zero-variance target generalizes as much: in at least half the models as many "
             "samples outside the hull without the variance as with it (F = 128)"},
            {"decreases", "linear",
             "gap filling decreases with F/P: in at least half the models the variance's excess "
             "outside the hull is no larger at F = 128 than at F = 8"},
            {"fills-between", "linear",
             "the variance fills the gap between the points: in at least half the models as many "
             "samples between them with the noisy target as with s*, or more (F = 128)"}};
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    obs.comparison = Comparison::p_value;
    obs.bound = kLevel;
    obs.assume("generated two-point set (not a data subset)", c.set.data.empty(), 0);
    if (!c.set.data.empty()) return obs;
    const double delta = c.set.separation;
    Mat data(2, 1);
    data << -delta / 2, delta / 2;
    const OracleField oracle(data, make_schedule(c.schedule));
    const Schedule& s = oracle.schedule();
    Vec centres(2);
    centres << -delta / 2, delta / 2;
    Mat starts(1, kGapStarts);
    for (int q = 0; q < kGapStarts; ++q)
      starts(0, q) = mixture_quantile(s.alpha(kGapStart) * centres,
                                      s.sigma(kGapStart) * s.sigma(kGapStart),
                                      (q + 0.5) / kGapStarts);
    const double alpha = s.alpha(kGapCutoff);
    const double a_lo = -alpha * delta / 2, a_hi = alpha * delta / 2;
    FeatureScoreOptions options;
    options.features = {kGapFewFeatures, kGapManyFeatures};
    options.samples = kGapSamples;
    options.t_min = kGapCutoff;
    options.length = delta / 2;  // half the spacing, as the learned estimator's default
    SignCount outside, trend, between;
    GapFractions mean[2][2];  // [rung][noisy]
    for (int m = 0; m < kGapModels; ++m) {
      const FeatureScoreModels models(oracle, options, derive_seed(c.seed, m));
      GapFractions g[2][2];
      for (int r = 0; r < 2; ++r)
        for (int noisy = 0; noisy < 2; ++noisy) {
          const Mat x = models.sample(r, noisy, starts, kGapStart, kGapCutoff, kGapSteps);
          if (!x.allFinite()) {
            obs.failure = "a fitted model's samples are not finite";
            return obs;
          }
          g[r][noisy] = gap_fractions(x, a_lo, a_hi, kGapWindow * alpha * delta);
          mean[r][noisy].between += g[r][noisy].between / kGapModels;
          mean[r][noisy].outside += g[r][noisy].outside / kGapModels;
        }
      outside.add(g[1][1].outside, g[1][0].outside);
      trend.add(g[1][1].outside - g[1][0].outside, g[0][1].outside - g[0][0].outside);
      between.add(g[1][0].between, g[1][1].between);
    }
    // The claim's direction is each test's null; a mutant states the opposite direction.
    if (c.variant == "zero-as-much") {
      obs.observed = outside.p_not_above();
    } else if (c.variant == "decreases") {
      obs.observed = trend.p_not_above();
    } else if (c.variant == "fills-between") {
      obs.observed = between.p_not_above();
    } else {
      obs.observed = std::min(
          1.0, 3 * std::min({outside.p_not_below(), trend.p_not_below(), between.p_not_below()}));
    }
    for (int r = 0; r < 2; ++r)
      for (int noisy = 0; noisy < 2; ++noisy)
        obs.row("gap", {{"features", static_cast<double>(options.features[r])},
                        {"target", noisy ? std::string("noisy") : std::string("zero-variance")},
                        {"between", mean[r][noisy].between},
                        {"outside", mean[r][noisy].outside}});
    // The exact score's law at t_min (the flow carries rho_t to rho_t): its masses of both regions.
    const Vec at_cutoff = alpha * centres;
    const double var = s.sigma(kGapCutoff) * s.sigma(kGapCutoff), w = kGapWindow * alpha * delta;
    obs.detail("exact_between",
               mixture_cdf(at_cutoff, var, a_hi - w) - mixture_cdf(at_cutoff, var, a_lo + w));
    obs.detail("exact_outside", mixture_cdf(at_cutoff, var, a_lo - w) + 1 -
                                    mixture_cdf(at_cutoff, var, a_hi + w));
    obs.detail("outside_noisy_above", static_cast<double>(outside.above));
    obs.detail("outside_noisy_below", static_cast<double>(outside.below));
    obs.detail("trend_above", static_cast<double>(trend.above));
    obs.detail("trend_below", static_cast<double>(trend.below));
    obs.detail("between_zero_above", static_cast<double>(between.above));
    obs.detail("between_zero_below", static_cast<double>(between.below));
    return obs;
  }
};

}  // namespace

std::vector<std::unique_ptr<Check>> c9_checks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<TargetCovariance>());
  out.push_back(std::make_unique<BisectorMaximum>());
  out.push_back(std::make_unique<GapFilling>());
  return out;
}

}  // namespace siv
