// Line smoothing: the field is the oracle at W = 0, its score is grad log q_t, it transports q_t
// (continuity equation by central differences), the normal part of a path scales with sigma, and
// the 1-D mixture helpers agree with quadrature.
#include "theory/line_smoothing.hpp"

#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <numbers>

#include "solvers/adaptive.hpp"
#include "support.hpp"
#include "theory/error_models.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

using test::random_data;

// q_t(x) = (1/n) sum_k N(x; alpha y_k, sigma^2 I + W^2 u u^T), directly (no log-sum-exp: only
// where nothing underflows).
double direct_density(const Mat& points, const Schedule& s, const Vec& u, double w, double t,
                      const Vec& x) {
  const double alpha = s.alpha(t), sigma = s.sigma(t), var = sigma * sigma + w * w;
  const int d = static_cast<int>(x.size());
  double sum = 0;
  for (Eigen::Index k = 0; k < points.cols(); ++k) {
    const Vec r = x - alpha * points.col(k);
    const double along = u.dot(r);
    sum += std::exp(-0.5 * ((r - along * u).squaredNorm() / (sigma * sigma) + along * along / var));
  }
  const double det = std::pow(sigma * sigma, d - 1) * var;
  return sum / points.cols() / std::sqrt(std::pow(2 * std::numbers::pi, d) * det);
}

struct LineCase {
  OracleField oracle;
  Vec u;
  LineCase(const Mat& data, const char* schedule, Vec direction)
      : oracle(data, make_schedule(schedule)), u(direction / direction.norm()) {}
};

TEST(LineSmoothing, ZeroWidthIsTheOracle) {
  LineCase s(random_data(6, 3, 1.0, 11), "bridge:2", Vec::Ones(3));
  const LineSmoothedField field(s.oracle, s.u, 0.0);
  Rng rng(3);
  Vec b(3), b0(3), sc(3), s0(3);
  for (double t : {0.01, 0.3, 0.9}) {
    const Vec x = rng.normal_vector(3);
    field.velocity(t, x, b);
    s.oracle.velocity(t, x, b0);
    field.score(t, x, sc);
    s.oracle.score(t, x, s0);
    EXPECT_LT((b - b0).norm(), 1e-12 * (1 + b0.norm())) << t;
    EXPECT_LT((sc - s0).norm(), 1e-12 * (1 + s0.norm())) << t;
  }
}

// Central differences: error h^2/6 times third derivatives (O(1) here, sigma >= 0.3) plus
// rounding eps/h; 1e-6 relative to the size of the terms covers both with room.
TEST(LineSmoothing, ScoreIsGradLogDensityAndFieldTransportsIt) {
  const Mat data = random_data(4, 2, 1.0, 5);
  LineCase s(data, "linear", Vec::Ones(2));
  const double w = 0.7, h = 1e-4;
  const LineSmoothedField field(s.oracle, s.u, w);
  const Schedule& sch = s.oracle.schedule();
  const Mat& y = s.oracle.points();
  Rng rng(8);
  for (double t : {0.3, 0.6}) {
    const Vec x = 0.5 * rng.normal_vector(2);
    Vec sc(2), b(2);
    field.score(t, x, sc);
    double div_flux = 0;
    for (int j = 0; j < 2; ++j) {
      Vec xp = x, xm = x;
      xp[j] += h;
      xm[j] -= h;
      const double grad = (std::log(direct_density(y, sch, s.u, w, t, xp)) -
                           std::log(direct_density(y, sch, s.u, w, t, xm))) /
                          (2 * h);
      EXPECT_NEAR(sc[j], grad, 1e-6 * (1 + std::abs(grad))) << t << " " << j;
      Vec bp(2), bm(2);
      field.velocity(t, xp, bp);
      field.velocity(t, xm, bm);
      div_flux += (direct_density(y, sch, s.u, w, t, xp) * bp[j] -
                   direct_density(y, sch, s.u, w, t, xm) * bm[j]) /
                  (2 * h);
    }
    const double dq_dt =
        (direct_density(y, sch, s.u, w, t + h, x) - direct_density(y, sch, s.u, w, t - h, x)) /
        (2 * h);
    EXPECT_NEAR(dq_dt + div_flux, 0.0, 1e-6 * (std::abs(dq_dt) + std::abs(div_flux))) << t;
  }
}

TEST(LineSmoothing, NormalPartOfAPathScalesWithSigma) {
  // Points on a line c + a_k u in R^3.
  const Vec u = Vec::LinSpaced(3, 1.0, 3.0).normalized();
  Vec c(3);
  c << 2.0, -1.0, 0.0;
  c -= c.dot(u) * u;
  Mat data(4, 3);
  for (int k = 0; k < 4; ++k) data.row(k) = (c + (k - 1.5) * 0.8 * u).transpose();
  for (const char* schedule : {"linear", "bridge:2"}) {
    LineCase s(data, schedule, u);
    const Schedule& sch = s.oracle.schedule();
    const LineSmoothedField field(s.oracle, u, 0.3);
    AdaptiveOptions o;
    o.abs_tol = o.rel_tol = 1e-11;
    o.t_final = 1e-4;
    o.settle = false;
    o.resolve_basins = false;
    Rng rng(21);
    const Vec z1 = sch.alpha(1.0) * data.row(1).transpose() + sch.sigma(1.0) * rng.normal_vector(3);
    const Endpoint e = solve_adaptive(field, z1, o);
    ASSERT_EQ(e.ending, Ending::reached_end);
    const auto normal = [&](const Vec& z, double t) {
      return Vec(z - u.dot(z) * u - sch.alpha(t) * c);
    };
    const Vec expected = sch.sigma(e.t_end) / sch.sigma(1.0) * normal(z1, 1.0);
    EXPECT_LT((normal(e.z, e.t_end) - expected).norm(), 1e-8 * (1 + z1.norm())) << schedule;
    // The isotropic smoother of the same width leaves it off: the identity is specific to the line.
    const SmoothedField isotropic(s.oracle, 0.3);
    const Endpoint f = solve_adaptive(isotropic, z1, o);
    EXPECT_GT((normal(f.z, f.t_end) - expected).norm(), 1e-3) << schedule;
  }
}

TEST(LineSmoothing, MixtureCdfAndWindowMassMatchQuadrature) {
  Vec centres(3);
  centres << -1.0, 0.0, 2.5;
  const double var = 0.09;
  const auto density = [&](double x) {
    double sum = 0;
    for (double c : centres) sum += std::exp(-(x - c) * (x - c) / (2 * var));
    return sum / (3 * std::sqrt(2 * std::numbers::pi * var));
  };
  using GK = boost::math::quadrature::gauss_kronrod<double, 61>;
  for (double x : {-2.0, -0.5, 0.1, 3.0})
    EXPECT_NEAR(mixture_cdf(centres, var, x), GK::integrate(density, -12.0, x, 15, 1e-14), 1e-12);
  // Disjoint windows, then two that overlap (counted once).
  const double delta = 0.2;
  double disjoint = 0;
  for (double c : centres) disjoint += GK::integrate(density, c - delta, c + delta, 15, 1e-14);
  EXPECT_NEAR(window_mass(centres, var, delta), disjoint, 1e-12);
  EXPECT_NEAR(
      window_mass(centres, var, 0.6),
      GK::integrate(density, -1.6, 0.6, 15, 1e-14) + GK::integrate(density, 1.9, 3.1, 15, 1e-14),
      1e-12);
}

TEST(LineSmoothing, RejectsBadInput) {
  LineCase s(random_data(3, 2, 1.0, 1), "linear", Vec::Ones(2));
  EXPECT_THROW(LineSmoothedField(s.oracle, Vec::Zero(2), 0.1), std::invalid_argument);
  EXPECT_THROW(LineSmoothedField(s.oracle, Vec::Ones(3), 0.1), std::invalid_argument);
  EXPECT_THROW(LineSmoothedField(s.oracle, s.u, -1.0), std::invalid_argument);
}

}  // namespace
}  // namespace siv
