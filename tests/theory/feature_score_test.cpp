// The random-feature eps-models of C9.gap against brute force: the targets against direct
// posterior sums, the fits against least squares on the augmented system (QR), eps^ against the
// feature sum written out, and the Heun sampler's order and its agreement with a naive RK4.
#include "theory/feature_score.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "support.hpp"

namespace siv {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

Mat two_points(double delta) {
  Mat data(2, 1);
  data << -delta / 2, delta / 2;
  return data;
}

// eps^(t, x) = sum_j theta_j sqrt(2/F) cos(w_j x + nu_j tau + beta_j), written out (d = 1).
double naive_eps(const FeatureScoreModels& m, const Schedule& s, int rung, bool noisy, double t,
                 double x) {
  const Mat& theta = m.theta(rung, noisy);
  const int F = static_cast<int>(theta.rows());
  const double tau = s.sigma(t) / s.sigma(1.0);
  double sum = 0;
  for (int j = 0; j < F; ++j)
    sum += theta(j, 0) * std::sqrt(2.0 / F) *
           std::cos(m.frequencies()(0, j) * x + m.rates()[j] * tau + m.phases()[j]);
  return sum;
}

TEST(FeatureScore, TargetsAreTheDrawnNoiseAndItsPosteriorMean) {
  const OracleField oracle(two_points(2), make_schedule("linear"));
  const Schedule& s = oracle.schedule();
  FeatureScoreOptions o;
  o.samples = 40;
  const FeatureScoreModels m(oracle, o, 7);
  for (int i = 0; i < o.samples; ++i) {
    const double t = m.times()[i], alpha = s.alpha(t), sigma = s.sigma(t);
    ASSERT_GE(t, o.t_min);
    ASSERT_LE(t, 1.0);
    const double x = m.positions()(0, i), z = m.targets(true)(0, i);
    // x - sigma z is alpha times one of the points.
    const double y = (x - sigma * z) / alpha;
    EXPECT_NEAR(std::min(std::abs(y - 1), std::abs(y + 1)), 0, 16 * kEps * (1 + std::abs(x) / alpha));
    // E[z | x] = (x - alpha m)/sigma, m from the two weights directly (no log-sum-exp needed at
    // these times: the logits are at most (x + alpha)^2 / 2 sigma^2 < 700).
    const double l1 = -(x + alpha) * (x + alpha) / (2 * sigma * sigma);
    const double l2 = -(x - alpha) * (x - alpha) / (2 * sigma * sigma);
    const double mean = (std::exp(l2) - std::exp(l1)) / (std::exp(l1) + std::exp(l2));
    const double expected = (x - alpha * mean) / sigma;
    EXPECT_NEAR(m.targets(false)(0, i), expected,
                64 * kEps * (std::abs(x) + alpha + std::abs(l1) + std::abs(l2)) / sigma);
  }
}

// Ridge min |Phi Theta - T|^2/P + lambda |Theta|^2 is least squares on [Phi; sqrt(lambda P) I]
// against [T; 0], solved here by column-pivoted QR from the features written out. Error model:
// both routes are backward stable up to the normal equations' squared condition number.
TEST(FeatureScore, FitsAreTheRidgeSolutionsOnBothSidesOfFEqualsP) {
  const OracleField oracle(two_points(1.5), make_schedule("linear"));
  const Schedule& s = oracle.schedule();
  for (double lambda : {1e-3, 1e-8}) {
    FeatureScoreOptions o;
    o.samples = 24;
    o.features = {6, 24, 96};
    o.lambda = lambda;
    o.length = 0.75;
    const FeatureScoreModels m(oracle, o, 11);
    for (int r = 0; r < m.rungs(); ++r) {
      const int F = o.features[static_cast<std::size_t>(r)], P = o.samples;
      Mat aug = Mat::Zero(P + F, F);
      for (int i = 0; i < P; ++i) {
        const double tau = s.sigma(m.times()[i]) / s.sigma(1.0);
        for (int j = 0; j < F; ++j)
          aug(i, j) = std::sqrt(2.0 / F) * std::cos(m.frequencies()(0, j) * m.positions()(0, i) +
                                                    m.rates()[j] * tau + m.phases()[j]);
      }
      aug.bottomRows(F).diagonal().setConstant(std::sqrt(lambda * P));
      const Eigen::JacobiSVD<Mat> svd(aug);
      const double cond = svd.singularValues()(0) / svd.singularValues()(F - 1);
      for (bool noisy : {true, false}) {
        Vec rhs = Vec::Zero(P + F);
        rhs.head(P) = m.targets(noisy).row(0).transpose();
        const Vec theta = aug.colPivHouseholderQr().solve(rhs);
        const double tol = 64 * kEps * cond * cond * (P + F) * (1 + theta.norm());
        EXPECT_LE((m.theta(r, noisy).col(0) - theta).norm(), tol)
            << "F = " << F << ", lambda = " << lambda << ", noisy = " << noisy;
      }
    }
  }
}

TEST(FeatureScore, EpsIsTheFeatureSum) {
  const OracleField oracle(two_points(2), make_schedule("trig"));
  const Schedule& s = oracle.schedule();
  const FeatureScoreModels m(oracle, FeatureScoreOptions{}, 3);
  Mat x(1, 5);
  x << -2, -0.7, 0, 0.3, 1.9;
  for (int r = 0; r < m.rungs(); ++r)
    for (bool noisy : {true, false})
      for (double t : {0.2, 0.55, 1.0}) {
        const Mat e = m.eps(r, noisy, t, x);
        for (int i = 0; i < 5; ++i) {
          const double want = naive_eps(m, s, r, noisy, t, x(0, i));
          // F terms of size |theta_j| sqrt(2/F), each rounded to a few eps of its angle's size.
          const double scale = m.theta(r, noisy).cwiseAbs().sum() * std::sqrt(2.0 / 128) *
                               (1 + m.frequencies().cwiseAbs().maxCoeff() * 2 +
                                m.rates().cwiseAbs().maxCoeff() + 2 * std::numbers::pi);
          EXPECT_NEAR(e(0, i), want, 16 * kEps * scale);
        }
      }
}

// Heun is second order: successive differences at 512, 1024, 2048 steps shrink by 4; and at 2048 steps
// it agrees with a classical RK4 on the written-out field (4096 steps) within Richardson's
// estimate of its own error.
TEST(FeatureScore, SamplerIsSecondOrderAndAgreesWithRk4) {
  const OracleField oracle(two_points(2), make_schedule("linear"));
  const Schedule& s = oracle.schedule();
  const FeatureScoreModels m(oracle, FeatureScoreOptions{}, 5);
  Mat starts(1, 3);
  starts << -0.9, 0.05, 0.6;
  const double t0 = 0.8, t1 = 0.2;
  for (int r = 0; r < m.rungs(); ++r)
    for (bool noisy : {true, false}) {
      const Mat h0 = m.sample(r, noisy, starts, t0, t1, 512);
      const Mat h1 = m.sample(r, noisy, starts, t0, t1, 1024);
      const Mat h2 = m.sample(r, noisy, starts, t0, t1, 2048);
      const double ratio = (h0 - h1).norm() / (h1 - h2).norm();
      EXPECT_GT(ratio, 3.5) << "rung " << r;
      EXPECT_LT(ratio, 4.5) << "rung " << r;
      const auto velocity = [&](double t, double x) {
        const double e = naive_eps(m, s, r, noisy, t, x);
        return s.dalpha(t) * (x - s.sigma(t) * e) / s.alpha(t) + s.dsigma(t) * e;
      };
      for (int i = 0; i < 3; ++i) {
        double x = starts(0, i);
        constexpr int kSteps = 4096;
        const double h = (t0 - t1) / kSteps;
        for (int j = 0; j < kSteps; ++j) {
          const double t = t0 - j * h;
          const double k1 = velocity(t, x), k2 = velocity(t - h / 2, x - h / 2 * k1);
          const double k3 = velocity(t - h / 2, x - h / 2 * k2), k4 = velocity(t - h, x - h * k3);
          x -= h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        const double heun_error = std::abs(h1(0, i) - h2(0, i)) / 3;
        EXPECT_LE(std::abs(h2(0, i) - x), 4 * heun_error + 1e-12 * (1 + std::abs(x)))
            << "start " << i << ", rung " << r;
      }
    }
}

TEST(FeatureScore, RejectsBadOptions) {
  const OracleField oracle(two_points(2), make_schedule("linear"));
  FeatureScoreOptions o;
  o.features = {16, 16};
  EXPECT_THROW(FeatureScoreModels(oracle, o, 1), std::invalid_argument);
  o = {};
  o.t_min = 0;
  EXPECT_THROW(FeatureScoreModels(oracle, o, 1), std::invalid_argument);
  o = {};
  o.lambda = 0;
  EXPECT_THROW(FeatureScoreModels(oracle, o, 1), std::invalid_argument);
  const FeatureScoreModels m(oracle, FeatureScoreOptions{}, 1);
  EXPECT_THROW(m.sample(0, true, Mat::Zero(1, 2), 0.2, 0.8, 4), std::invalid_argument);
}

}  // namespace
}  // namespace siv
