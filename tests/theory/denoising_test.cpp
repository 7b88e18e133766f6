// The denoising target's conditional moments against Monte Carlo of the target (Bayes by
// rejection, no log-sum-exp) and against second-order Tweedie (central differences of the
// oracle's score); the n = 2 bisector closed form and its maximum on parallel lines.
#include "theory/denoising.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

using test::random_data;

// Target samples -(x - alpha y)/sigma^2 with y from the posterior given x, drawn by rejection from
// the uniform prior with acceptance exp(-|x - alpha y|^2 / 2 sigma^2) / max.
TEST(Denoising, MomentsMatchMonteCarloOfTheTarget) {
  const Mat data = random_data(4, 2, 1.0, 3);
  const OracleField oracle(data, make_schedule("linear"));
  const Mat& y = oracle.points();
  Rng rng(17);
  for (double t : {0.4, 0.7}) {
    const double alpha = 1 - t, sigma = t;
    const Vec x =
        alpha * y.col(0) + 0.5 * (y.col(1) - y.col(0)) * alpha + 0.1 * rng.normal_vector(2);
    const TargetMoments m = denoising_target(y, alpha, sigma, x);
    double top = 0;
    for (int k = 0; k < 4; ++k)
      top = std::max(top, std::exp(-(x - alpha * y.col(k)).squaredNorm() / (2 * sigma * sigma)));
    constexpr int kSamples = 200000;
    Vec mean = Vec::Zero(2);
    Mat second = Mat::Zero(2, 2);
    double q_sum = 0, q_sq = 0;  // q = |target - s*|^2
    int accepted = 0;
    while (accepted < kSamples) {
      const int k = rng.index(4);
      const double like = std::exp(-(x - alpha * y.col(k)).squaredNorm() / (2 * sigma * sigma));
      if (rng.uniform() * top > like) continue;
      const Vec target = -(x - alpha * y.col(k)) / (sigma * sigma);
      mean += target;
      second += target * target.transpose();
      const double q = (target - m.score).squaredNorm();
      q_sum += q;
      q_sq += q * q;
      ++accepted;
    }
    mean /= kSamples;
    const Mat cov = second / kSamples - mean * mean.transpose();
    // Six standard errors, from the exact law of the target (value tau_k with weight w_k, direct
    // exponentials): of the mean, of each covariance entry and of the variance of q.
    Vec w(4);
    for (int k = 0; k < 4; ++k)
      w[k] = std::exp(-(x - alpha * y.col(k)).squaredNorm() / (2 * sigma * sigma));
    w /= w.sum();
    Mat se_cov = Mat::Zero(2, 2);
    double se_q = 0;
    for (int k = 0; k < 4; ++k) {
      const Vec c = -(x - alpha * y.col(k)) / (sigma * sigma) - m.score;
      se_cov += w[k] * (c * c.transpose()).cwiseAbs2();
      se_q += w[k] * std::pow(c.squaredNorm() - m.trace, 4);
    }
    se_cov = ((se_cov - m.covariance().cwiseAbs2()) / kSamples).cwiseSqrt();
    se_q = std::sqrt((se_q - m.trace_variance * m.trace_variance) / kSamples);
    for (int j = 0; j < 2; ++j)
      EXPECT_LT(std::abs(mean[j] - m.score[j]), 6 * std::sqrt(m.covariance()(j, j) / kSamples)) << t;
    EXPECT_TRUE(((cov - m.covariance()).cwiseAbs().array() <= 6 * se_cov.array() + 1e-12).all())
        << t << "\n"
        << cov << "\n"
        << m.covariance();
    EXPECT_NEAR(m.trace, m.covariance().trace(), 1e-12 * (1 + m.trace));
    // The O(n d) quadratic form against the sample covariance: within the entries' six standard
    // errors, summed with weights |v_i v_j|.
    const Vec v = Vec::Unit(2, 0) - 0.5 * Vec::Unit(2, 1);
    const double along_tolerance = 6 * v.cwiseAbs().dot(se_cov * v.cwiseAbs()) + 1e-12;
    EXPECT_NEAR(m.variance_along(v), v.dot(cov * v), along_tolerance) << t;
    EXPECT_NEAR(m.variance_along(v), v.dot(m.covariance() * v), 1e-12 * (1 + m.trace)) << t;
    const double q_var = q_sq / kSamples - std::pow(q_sum / kSamples, 2);
    EXPECT_LT(std::abs(q_var - m.trace_variance), 6 * se_q) << t;
    // The tolerances must be small against what they test.
    EXPECT_LT(6 * se_cov.maxCoeff(), 0.1 * m.trace) << t;
    EXPECT_LT(6 * se_q, 0.75 * m.trace_variance)
        << t;  // a far centre of small weight dominates q^2
  }
}

// C = grad s* + I/sigma^2. Central differences of s* with step h: error h^2/6 |s'''| + eps |s|/h,
// with derivatives of s* of order (|y|/sigma^2)^3 sigma^2 here; 1e-6 relative covers both.
TEST(Denoising, CovarianceIsSecondOrderTweedie) {
  const Mat data = random_data(5, 3, 1.0, 9);
  const OracleField oracle(data, make_schedule("trig"));
  const Schedule& s = oracle.schedule();
  Rng rng(4);
  for (double t : {0.3, 0.6, 0.9}) {
    const double alpha = s.alpha(t), sigma = s.sigma(t), h = 1e-5;
    const Vec x = alpha * oracle.points().col(2) + sigma * rng.normal_vector(3);
    const TargetMoments m = denoising_target(oracle.points(), alpha, sigma, x);
    Mat jacobian(3, 3);
    Vec sp(3), sm(3);
    for (int j = 0; j < 3; ++j) {
      Vec xp = x, xm = x;
      xp[j] += h;
      xm[j] -= h;
      oracle.score(t, xp, sp);
      oracle.score(t, xm, sm);
      jacobian.col(j) = (sp - sm) / (2 * h);
    }
    const Mat tweedie = jacobian + Mat::Identity(3, 3) / (sigma * sigma);
    EXPECT_LT((tweedie - m.covariance()).cwiseAbs().maxCoeff(),
              1e-6 * (1 + m.covariance().cwiseAbs().maxCoeff() + 1 / (sigma * sigma)))
        << t;
    Vec score(3);
    oracle.score(t, x, score);
    EXPECT_LT((score - m.score).norm(), 1e-12 * (1 + score.norm()));
    EXPECT_NEAR(m.fraction, m.trace / (m.trace + m.score.squaredNorm()), 1e-12);
  }
}

// n = 2: along each line parallel to Delta, a grid search finds the largest fraction at the
// bisector (grid spacing 1e-3 b, so within one spacing of a = 0), equal to b^2/(b^2 + 4 r^2).
TEST(Denoising, BisectorMaximisesTheFractionOnParallelLines) {
  Mat data(2, 2);
  data << -0.7, 0.2, 0.9, 0.5;
  const Mat y = data.transpose();
  const Vec delta = y.col(1) - y.col(0), mid = 0.5 * (y.col(0) + y.col(1));
  const Vec e = delta.normalized();
  const Vec normal(Vec::Unit(2, 0) - Vec::Unit(2, 0).dot(e) * e);
  for (double alpha : {0.3, 0.9}) {
    for (double sigma : {0.1, 0.5}) {
      const double b = alpha * delta.norm();
      for (double r : {0.05, 0.5, 2.0}) {
        const Vec v = r * normal.normalized();
        double best = -1, best_a = 0;
        for (int i = -3000; i <= 3000; ++i) {
          const double a = 1e-3 * b * i;
          const double f = denoising_target(y, alpha, sigma, alpha * mid + a * e + v).fraction;
          if (f > best) {
            best = f;
            best_a = a;
          }
        }
        EXPECT_LE(std::abs(best_a), 1e-3 * b) << alpha << " " << sigma << " " << r;
        EXPECT_NEAR(denoising_target(y, alpha, sigma, alpha * mid + v).fraction,
                    bisector_fraction(b, r), 1e-13);
      }
    }
  }
}

// On the axis the fraction is 1 wherever s* = 0: at the saddle (the midpoint) and, when
// b > 2 sigma, at the two modes of rho_t, where tr C is tiny but |s*| is zero too.
TEST(Denoising, FractionIsOneAtTheModesOnTheAxis) {
  Mat data(2, 1);
  data << -1.0, 1.0;
  const Mat y = data.transpose();
  const double alpha = 1, sigma = 0.5;  // b = 2 > 2 sigma = 1: bimodal
  // s*(a) = -(a - tanh(a b / 2 sigma^2) b / 2) / sigma^2 on the axis; its positive root by
  // bisection.
  const auto score = [&](double a) {
    Vec x(1);
    x << a;
    return denoising_target(y, alpha, sigma, x).score[0];
  };
  double lo = 0.5, hi = 1.5;
  ASSERT_LT(score(lo) * score(hi), 0);
  for (int i = 0; i < 200; ++i)
    (score(0.5 * (lo + hi)) * score(lo) > 0 ? lo : hi) = 0.5 * (lo + hi);
  Vec mode(1);
  mode << 0.5 * (lo + hi);
  const TargetMoments m = denoising_target(y, alpha, sigma, mode);
  EXPECT_LT(m.trace, 0.2);
  EXPECT_GT(m.fraction, 0.999);
  Vec middle = Vec::Zero(1);
  EXPECT_NEAR(denoising_target(y, alpha, sigma, middle).fraction, 1.0, 1e-15);
}

}  // namespace
}  // namespace siv
