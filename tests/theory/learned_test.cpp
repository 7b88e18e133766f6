// The learned estimator and the excess-loss Monte Carlo; each property is also checked on a mutant
// that the same check rejects.
#include "theory/learned.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "theory/random.hpp"
#include "support.hpp"

namespace siv {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

using test::random_data;

LearnedOptions options(double lambda, int features, int samples) {
  LearnedOptions o;
  o.lambda = lambda;
  o.features = features;
  o.samples = samples;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Construction

TEST(LearnedField, ReproducibleFromSeedAndFromItsName) {
  const OracleField oracle(random_data(5, 2, 1.0, 1), make_schedule("linear"));
  const LearnedField a(oracle, options(1e-3, 32, 512), 9), b(oracle, options(1e-3, 32, 512), 9),
      c(oracle, options(1e-3, 32, 512), 10);
  const auto d = make_error_model(a.name(), oracle, 9);
  EXPECT_EQ(d->name(), a.name());
  EXPECT_EQ(a.training_loss(), b.training_loss());
  Rng rng(2);
  Vec va(2), vb(2), vc(2), vd(2);
  for (int i = 0; i < 20; ++i) {
    const double t = 1 - rng.uniform();
    const Vec x = rng.normal_vector(2);
    a.velocity(t, x, va);
    b.velocity(t, x, vb);
    c.velocity(t, x, vc);
    d->velocity(t, x, vd);
    EXPECT_EQ(va, vb);
    EXPECT_EQ(va, vd);
    EXPECT_GT((va - vc).norm(), 0);
  }
  EXPECT_EQ(a.settled(1e-3, oracle.points().col(0)), -1);
}

TEST(LearnedField, RejectsBadOptions) {
  const OracleField oracle(random_data(3, 2, 1.0, 3), make_schedule("linear"));
  for (const auto& o : {options(0, 8, 8), options(-1, 8, 8), options(1, 0, 8), options(1, 8, 0)})
    EXPECT_THROW(LearnedField(oracle, o, 0), std::invalid_argument);
  LearnedOptions o = options(1, 8, 8);
  o.t_min = 1;
  EXPECT_THROW(LearnedField(oracle, o, 0), std::invalid_argument);
  o.t_min = 0.1;
  o.length = -1;
  EXPECT_THROW(LearnedField(oracle, o, 0), std::invalid_argument);
}

// b^ = alpha' m^ + (sigma'/sigma)(x - alpha m^), s^ = -(x - alpha m^)/sigma^2, e = kappa (m^ - m):
// check the three against the learned mean and the oracle, also below t_min (extrapolation).
TEST(LearnedField, ReassemblesVelocityScoreAndErrorFromTheLearnedMean) {
  for (const std::string spec : {"linear", "bridge:2", "vp:0.1:20"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(4, 3, 1.0, 4), make_schedule(spec));
    const Schedule& s = oracle.schedule();
    const LearnedField f(oracle, options(1e-3, 32, 512), 5);
    Rng rng(6);
    Vec m(3), b(3), sc(3), e(3), bstar(3), sstar(3);
    for (int i = 0; i < 50; ++i) {
      const double t = std::pow(10.0, -4 * rng.uniform());
      const Vec x =
          s.alpha(t) * oracle.points().col(rng.index(4)) + s.sigma(t) * rng.normal_vector(3);
      f.mean(t, x, m);
      f.velocity(t, x, b);
      f.score(t, x, sc);
      f.error(t, x, e);
      oracle.velocity(t, x, bstar);
      oracle.score(t, x, sstar);
      const Vec r = x - s.alpha(t) * m;
      const double scale = 64 * kEps * (1 + s.log_sigma_rate(t)) * (x.norm() + m.norm() + 1);
      EXPECT_LE((b - (s.dalpha(t) * m + s.log_sigma_rate(t) * r)).norm(), scale);
      EXPECT_LE((sc + r / (s.sigma(t) * s.sigma(t))).norm(), scale / (s.sigma(t) * s.sigma(t)));
      EXPECT_LE((e - (b - bstar)).norm(), scale * 4);
      // The implied-mean convention of error_models.hpp: s^ = s* + alpha e / (kappa sigma^2).
      const Vec implied = sstar + s.alpha(t) / (s.kappa(t) * s.sigma(t) * s.sigma(t)) * e;
      EXPECT_LE((sc - implied).norm(), 4 * scale / (s.sigma(t) * s.sigma(t)));
    }
  }
}

// Central-difference divergence at h and h/2 with a Richardson reference; |D(h) - D(h/2)| bounds
// the truncation of D(h), and rounding adds about eps |f| / h.
TEST(LearnedField, ErrorDivergenceMatchesFiniteDifferencesAndSignMutantFails) {
  const OracleField oracle(random_data(4, 2, 1.0, 7), make_schedule("trig"));
  const LearnedField f(oracle, options(1e-4, 64, 1024), 8);
  const Schedule& s = oracle.schedule();
  Rng rng(9);
  int bad = 0, flipped_bad = 0;
  for (int i = 0; i < 40; ++i) {
    const double t = 0.05 + 0.95 * rng.uniform();
    const Vec x =
        s.alpha(t) * oracle.points().col(rng.index(4)) + s.sigma(t) * rng.normal_vector(2);
    double size = 0;
    const auto central = [&](double h) {
      double div = 0;
      Vec plus(2), minus(2);
      for (int j = 0; j < 2; ++j) {
        Vec xp = x, xm = x;
        xp[j] += h;
        xm[j] -= h;
        f.error(t, xp, plus);
        f.error(t, xm, minus);
        div += (plus[j] - minus[j]) / (2 * h);
        size = std::max({size, plus.norm(), minus.norm()});
      }
      return div;
    };
    const double h = 1e-3, coarse = central(h), fine = central(h / 2);
    const double reference = (4 * fine - coarse) / 3;
    const double tolerance = 2 * std::abs(coarse - fine) + 1e3 * kEps * size * 2 / h;
    const double div = f.error_divergence(t, x);
    if (!(std::abs(div - reference) <= tolerance)) ++bad;
    if (!(std::abs(-div - reference) <= tolerance)) ++flipped_bad;
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GE(flipped_bad, 30);
}

// With lambda |Theta|^2 <= fit(0) = mean kappa^2 |y_k - ybar|^2 and |phi| <= sqrt 2, the learned
// mean stays within sqrt(2 max kappa^2 max |y_k - ybar|^2 / lambda) of ybar: heavy regularisation
// collapses it onto the training mean.
TEST(LearnedField, HeavyRegularisationCollapsesOntoTheTrainingMean) {
  const Mat data = random_data(5, 2, 1.0, 10);
  const OracleField oracle(data, make_schedule("linear"));
  const double lambda = 1e8;
  const LearnedField f(oracle, options(lambda, 64, 512), 11);
  const Vec ybar = oracle.points().rowwise().mean();
  const double spread = (oracle.points().colwise() - ybar).colwise().norm().maxCoeff();
  const double max_kappa = 1 / f.options().t_min;  // |kappa| = 1/t for the linear schedule
  const double bound = std::sqrt(2 * max_kappa * max_kappa * spread * spread / lambda);
  Rng rng(12);
  Vec m(2);
  double worst = 0, worst_mutant = 0;
  for (int i = 0; i < 100; ++i) {
    const double t = rng.uniform();
    const Vec x = 3 * rng.normal_vector(2);
    f.mean(t, x, m);
    worst = std::max(worst, (m - ybar).norm());
    worst_mutant = std::max(worst_mutant, (m - ybar - ybar).norm());  // mutant: m^ without ybar
  }
  EXPECT_LE(worst, bound);
  EXPECT_GT(worst_mutant, bound);
  EXPECT_LT(bound, 0.05 * spread);
}

// ---------------------------------------------------------------------------------------------
// Training loss

// True when each loss is at most the previous one (up to rounding of the loss sums).
bool non_increasing(const std::vector<double>& losses) {
  for (std::size_t i = 0; i + 1 < losses.size(); ++i)
    if (!(losses[i + 1] <= losses[i] * (1 + 1e-10))) return false;
  return true;
}

// The ridge fit is nondecreasing in lambda: for lambda1 < lambda2 with minimisers T1, T2,
// fit(T1) + l1 |T1|^2 <= fit(T2) + l1 |T2|^2 and fit(T2) + l2 |T2|^2 <= fit(T1) + l2 |T1|^2 give
// |T1| >= |T2| and then fit(T1) <= fit(T2). Same seed: same features and draws for every lambda.
TEST(LearnedField, TrainingLossFallsAsLambdaFallsAndInvertedPenaltyMutantFails) {
  const OracleField oracle(random_data(5, 2, 1.0, 13), make_schedule("linear"));
  std::vector<double> losses;
  for (double lambda = 10; lambda >= 1e-7; lambda /= 10)
    losses.push_back(LearnedField(oracle, options(lambda, 64, 1024), 14).training_loss());
  EXPECT_TRUE(non_increasing(losses)) << testing::PrintToString(losses);
  EXPECT_LT(losses.back(), 0.5 * losses.front());

  // The same check on a generic ridge problem, for the solver and for a mutant that puts lambda on
  // the data term, (lambda G^T G + M I) T = lambda G^T R.
  Rng rng(15);
  const int rows = 200, features = 30;
  Mat g(rows, features), r(rows, 2);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < features; ++j) g(i, j) = rng.normal();
    r.row(i) << rng.normal(), rng.normal();
  }
  RidgeProblem ridge(features, 2);
  ridge.add(g.topRows(120), r.topRows(120));
  ridge.add(g.bottomRows(80), r.bottomRows(80));
  EXPECT_EQ(ridge.rows(), rows);
  std::vector<double> fits, mutant_fits;
  for (double lambda = 10; lambda >= 1e-7; lambda /= 10) {
    fits.push_back((g * ridge.solve(lambda) - r).squaredNorm() / rows);
    Mat normal = lambda * g.transpose() * g;
    normal.diagonal().array() += rows;
    const Mat mutant = normal.ldlt().solve(lambda * g.transpose() * r);
    mutant_fits.push_back((g * mutant - r).squaredNorm() / rows);
  }
  EXPECT_TRUE(non_increasing(fits)) << testing::PrintToString(fits);
  EXPECT_FALSE(non_increasing(mutant_fits)) << testing::PrintToString(mutant_fits);
}

// Against a least-squares solve of the stacked system
//   [G / sqrt M; sqrt(lambda) I] T = [R / sqrt M; 0]
// by Householder QR (backward stable; the conditioning here is mild, so 1e-10 is generous).
TEST(RidgeProblem, MatchesStackedLeastSquaresAndMissingRowFactorMutantFails) {
  Rng rng(16);
  const int rows = 300, features = 40;
  Mat g(rows, features), r(rows, 3);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < features; ++j) g(i, j) = rng.normal() * (1 + j % 4);
    for (int j = 0; j < 3; ++j) r(i, j) = rng.normal();
  }
  RidgeProblem ridge(features, 3);
  ridge.add(g, r);
  for (const double lambda : {1e-3, 0.1, 10.0}) {
    Mat stacked_g(rows + features, features), stacked_r(rows + features, 3);
    stacked_g << g / std::sqrt(rows), std::sqrt(lambda) * Mat::Identity(features, features);
    stacked_r << r / std::sqrt(rows), Mat::Zero(features, 3);
    const Mat reference = stacked_g.householderQr().solve(stacked_r);
    const Mat solved = ridge.solve(lambda);
    EXPECT_LE((solved - reference).norm(), 1e-10 * reference.norm()) << lambda;
    Mat normal = g.transpose() * g;
    normal.diagonal().array() += lambda;  // mutant: lambda instead of lambda M
    EXPECT_GT((normal.ldlt().solve(g.transpose() * r) - reference).norm(), 1e-6 * reference.norm());
  }
  EXPECT_THROW(ridge.solve(0), std::invalid_argument);
}

// Not a theorem (features are redrawn with a different normalisation), but with lambda tiny the
// capacity dominates: measured losses for J = 8, 32, 128 are about 34, 4.7, 1.8 (oracle 1.9).
TEST(LearnedField, MoreFeaturesFitTheDrawsBetter) {
  const OracleField oracle(random_data(5, 2, 1.0, 17), make_schedule("linear"));
  std::vector<double> losses;
  for (const int features : {8, 32, 128})
    losses.push_back(LearnedField(oracle, options(1e-6, features, 1024), 18).training_loss());
  for (std::size_t i = 0; i + 1 < losses.size(); ++i)
    EXPECT_LT(losses[i + 1], 0.8 * losses[i]) << testing::PrintToString(losses);
}

// ---------------------------------------------------------------------------------------------
// Excess loss Monte Carlo

// Two-sided z-test of the estimate against a reference at false-alarm level 1e-6 per check; the
// mean of >= 2e4 draws of a finite-variance integrand is normal to well within that level here.
bool agrees(const MonteCarloEstimate& est, double reference) {
  const double z = boost::math::quantile(boost::math::complement(boost::math::normal(), 0.5e-6));
  return std::abs(est.mean - reference) <= z * est.std_error;
}

double integrate(const std::function<double(double)>& f, double a, double b) {
  return boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, a, b, 15, 1e-12);
}

// Singular error: E_{rho_t}|e|^2 = c^2 (sigma'/sigma)^2 does not depend on x.
TEST(ExcessLoss, MatchesClosedFormForSingularErrorAndScaledMutantFails) {
  const double t_min = 0.1, c = 0.4;
  for (const std::string spec : {"linear", "trig", "vp:0.1:20"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(3, 2, 1.0, 19), make_schedule(spec));
    const Schedule& s = oracle.schedule();
    const auto rate_squared = [&](double t) { return std::pow(s.dsigma(t) / s.sigma(t), 2); };
    const double reference = c * c * integrate(rate_squared, t_min, 1);
    if (spec == "linear") {
      EXPECT_NEAR(reference, c * c * (1 / t_min - 1), 1e-12);
    }
    const SingularError f(oracle, c, 20), mutant(oracle, 1.1 * c, 20);
    const auto est = excess_loss(f, oracle, t_min, 20000, 21);
    EXPECT_EQ(est.samples, 20000);
    EXPECT_TRUE(agrees(est, reference))
        << est.mean << " +- " << est.std_error << " vs " << reference;
    const auto wrong = excess_loss(mutant, oracle, t_min, 20000, 21);
    EXPECT_FALSE(agrees(wrong, reference)) << wrong.mean << " +- " << wrong.std_error;
  }
}

// RFF error: for x ~ N(alpha y_k, sigma^2 I),
//   E cos(u . x + b) = exp(-sigma^2 |u|^2 / 2) cos(alpha u . y_k + b),
// and cos A cos B = (cos(A + B) + cos(A - B)) / 2 gives E|e|^2 in closed form; t by Gauss-Kronrod.
double rff_excess_reference(const RandomFourierError& f, double t_min) {
  const Schedule& s = f.schedule();
  const Mat& a = f.coefficients();
  const Mat& w = f.frequencies();
  const Vec& c = f.time_frequencies();
  const Vec& phi = f.phases();
  const int features = static_cast<int>(a.cols()), n = static_cast<int>(f.points().cols());
  return integrate(
      [&](double t) {
        const double alpha = s.alpha(t), var = s.sigma(t) * s.sigma(t);
        const auto expect_cos = [&](const Vec& u, double shift, int k) {
          return std::exp(-var * u.squaredNorm() / 2) *
                 std::cos(alpha * u.dot(f.points().col(k)) + shift);
        };
        double total = 0;
        for (int k = 0; k < n; ++k)
          for (int i = 0; i < features; ++i)
            for (int j = 0; j < features; ++j) {
              const double sum =
                  expect_cos(w.col(i) + w.col(j), (c[i] + c[j]) * t + phi[i] + phi[j], k);
              const double diff =
                  expect_cos(w.col(i) - w.col(j), (c[i] - c[j]) * t + phi[i] - phi[j], k);
              total += a.col(i).dot(a.col(j)) * (sum + diff) / 2;
            }
        return total / n;
      },
      t_min, 1);
}

TEST(ExcessLoss, MatchesGaussianClosedFormForRandomFourierErrorAndScaledMutantFails) {
  const double t_min = 0.05;
  for (const std::string spec : {"linear", "bridge:2"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(3, 2, 1.0, 22), make_schedule(spec));
    const RandomFourierError f(oracle, 1.0, 6, 0.8, 23), mutant(oracle, 1.1, 6, 0.8, 23);
    const double reference = rff_excess_reference(f, t_min);
    const auto est = excess_loss(f, oracle, t_min, 20000, 24);
    EXPECT_TRUE(agrees(est, reference))
        << est.mean << " +- " << est.std_error << " vs " << reference;
    const auto wrong = excess_loss(mutant, oracle, t_min, 20000, 24);
    EXPECT_FALSE(agrees(wrong, reference)) << wrong.mean << " +- " << wrong.std_error;
  }
}

TEST(ExcessLoss, ZeroForTheOracleAndRejectsAMismatchedOracle) {
  const OracleField oracle(random_data(3, 2, 1.0, 25), make_schedule("linear"));
  const OracleField other_set(random_data(3, 2, 1.0, 26), make_schedule("linear"));
  const OracleField other_schedule(random_data(3, 2, 1.0, 25), make_schedule("trig"));
  const ExactField exact(oracle);
  const auto est = excess_loss(exact, oracle, 0.01, 100, 27);
  EXPECT_EQ(est.mean, 0);
  EXPECT_EQ(est.std_error, 0);
  EXPECT_THROW(excess_loss(exact, other_set, 0.01, 100, 27), std::invalid_argument);
  EXPECT_THROW(excess_loss(exact, other_schedule, 0.01, 100, 27), std::invalid_argument);
  EXPECT_THROW(excess_loss(exact, oracle, 0, 100, 27), std::invalid_argument);
  EXPECT_THROW(excess_loss(exact, oracle, 0.01, 1, 27), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Regularisation ladder (slow): the figures behind the C6/C7 criterion.

TEST(LearnedSlow, RegularisationLadderReport) {
  const OracleField oracle(random_data(5, 2, 1.0, 28), make_schedule("linear"));
  std::vector<double> losses;
  std::cout << "lambda   training  oracle   excess(MC)        seconds\n";
  for (double lambda = 1; lambda >= 1e-8; lambda /= 100) {
    const auto start = std::chrono::steady_clock::now();
    const LearnedField f(oracle, options(lambda, 256, 4096), 29);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto est = excess_loss(f, oracle, f.options().t_min, 20000, 30);
    std::cout << lambda << "  " << f.training_loss() << "  " << f.oracle_training_loss() << "  "
              << est.mean << " +- " << est.std_error << "  " << seconds << "\n";
    losses.push_back(f.training_loss());
    EXPECT_TRUE(std::isfinite(est.mean));
  }
  EXPECT_TRUE(non_increasing(losses));
}

}  // namespace
}  // namespace siv
