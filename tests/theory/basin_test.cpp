// read_basin (theory/basin.hpp) against the direct evaluation of every term: the snapshot's
// lazy gap rates, memoised distances and repeated judging must give the same reading bit for bit.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "support.hpp"
#include "theory/basin.hpp"

namespace siv {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInvisibleGap = 40.0;

double centred_sq(double alpha, const ConstVecRef& x, const ConstVecRef& y, Vec& out) {
  for (Eigen::Index i = 0; i < x.size(); ++i) out[i] = std::fma(-alpha, y[i], x[i]);
  return out.squaredNorm();
}

// The brute-force reading: every term over every centre, as first written (before the snapshot).
BasinReading direct_reading(const Mat& points, double alpha, double sigma, const ConstVecRef& x,
                        const BasinErrors& errors) {
  const Eigen::Index n = points.cols(), d = points.rows();
  thread_local Vec logits, diff, r, gdot, dist;
  logits.resize(n);
  diff.resize(d);
  const double inv_two_var = 0.5 / (sigma * sigma);
  for (Eigen::Index i = 0; i < n; ++i) logits[i] = -centred_sq(alpha, x, points.col(i), diff) * inv_two_var;
  Eigen::Index k = 0;
  for (Eigen::Index i = 1; i < n; ++i)
    if (logits[i] > logits[k]) k = i;

  BasinReading out;
  out.leader = static_cast<int>(k);
  out.max_step = std::numeric_limits<double>::infinity();
  const double lambda = alpha / sigma;
  const auto yk = points.col(k);
  double ymax = 0, total = 0, cluster = 0, reach = 0, closest = std::numeric_limits<double>::infinity();
  r.setZero(d);
  dist.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    ymax = std::max(ymax, points.col(i).norm());
    dist[i] = (points.col(i) - yk).norm();
    const double w = std::exp(logits[i] - logits[k]);
    total += w;
    if (dist[i] == 0) {
      cluster += w;
      out.copies += i != k;
    } else {
      r += w * (points.col(i) - yk);
      reach = std::max(reach, dist[i]);
      closest = std::min(closest, dist[i]);
    }
  }
  r /= total;
  if (!(reach > 0)) {  // a single point, up to duplicates: nothing to decide
    out.certified = std::isfinite(total);
    return out;
  }
  // Rounding of u = x / sigma and of the centres alpha y_i, in standardized units.
  out.resolution = 2 * kEps * std::sqrt(static_cast<double>(d)) * (x.norm() / sigma + lambda * ymax);
  const double error = errors.state + out.resolution;

  // Gap rates dg_j/dlambda = delta . (u - lambda y_j + lambda r), and the rate of m.
  gdot.resize(n);
  double m_rate = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    if (dist[j] == 0) continue;
    double s = 0;
    for (Eigen::Index i = 0; i < d; ++i)
      s += (yk[i] - points(i, j)) * (std::fma(-alpha, points(i, j), x[i]) / sigma + lambda * r[i]);
    gdot[j] = s;
    m_rate += 2 * std::exp(logits[j] - logits[k]) / total * dist[j] * std::abs(s);
  }

  const double rho = closest / (2 * reach);
  double widest = 0;  // largest uncertainty of a gap over the error ball
  double odds = 0;  // sum over j outside the cluster of w_j / w_C, at the worst state of the ball
  for (Eigen::Index j = 0; j < n; ++j) {
    if (dist[j] == 0) continue;
    const double gap = logits[k] - logits[j];
    const double scaled = lambda * dist[j];
    const double uncertainty = scaled * error + errors.lambda * std::abs(gdot[j]) +
                               4 * kEps * (std::abs(logits[k]) + std::abs(logits[j]));
    const double robust = gap - uncertainty;
    if (!(robust > 0)) {
      out.ambiguous = true;
      if (scaled >= 1 && error >= scaled / 4) out.unresolvable = true;
    }
    odds += std::exp(-robust) / cluster;
    widest = std::max(widest, uncertainty);
    // Predicted |change of g_j| over a step h: |gdot| h + K h^2 / 2, K bounding d2g/dlambda2 =
    // |delta|^2 + 2 delta . r + lambda delta . dm/dlambda.
    const double a = std::abs(gdot[j]);
    const double curve = dist[j] * (dist[j] + 2 * r.norm() + lambda * m_rate);
    const double allowed = std::max(1.0, gap - kInvisibleGap);
    out.max_step = std::min(out.max_step, 2 * allowed / (a + std::sqrt(a * a + 2 * curve * allowed)));
  }
  // |dm/du| = lambda |Cov_w| <= lambda tr Cov_w; over the ball each weight ratio moves by at most
  // e^(2 widest).
  double variance = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    variance += std::exp(logits[i] - logits[k]) / total * (points.col(i) - yk - r).squaredNorm();
  out.growth = lambda * variance * std::exp(std::min(2 * widest, 700.0));
  out.certified = !out.ambiguous && odds / (1 + odds) < rho;
  return out;
}


bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

void expect_same(const BasinReading& got, const BasinReading& want) {
  RC_ASSERT(got.leader == want.leader);
  RC_ASSERT(got.copies == want.copies);
  RC_ASSERT(got.certified == want.certified);
  RC_ASSERT(got.ambiguous == want.ambiguous);
  RC_ASSERT(got.unresolvable == want.unresolvable);
  RC_ASSERT(same(got.growth, want.growth));
  RC_ASSERT(same(got.max_step, want.max_step));
  RC_ASSERT(same(got.resolution, want.resolution));
}

// Points d x n: gaussian clusters of a few centres (so that some weights underflow and some do
// not), some columns repeated exactly.
Mat clustered_points(int n, int d, double spread, std::uint64_t seed) {
  Rng rng(seed, 3);
  const int centres = 1 + static_cast<int>(rng.index(3));
  const Mat c = test::random_data(centres, d, 5.0, seed).transpose();
  Mat y(d, n);
  for (int i = 0; i < n; ++i) {
    y.col(i) = c.col(static_cast<Eigen::Index>(rng.index(centres)));
    for (int j = 0; j < d; ++j) y(j, i) += spread * rng.normal();
  }
  const int repeats = static_cast<int>(rng.index(3));
  for (int r = 0; r < repeats && n > 1; ++r) y.col(rng.index(n)) = y.col(rng.index(n));
  return y;
}

RC_GTEST_PROP(BasinSnapshot, EqualsTheDirectReadingBitForBit, ()) {
  const int n = *rc::gen::inRange(1, 60), d = *rc::gen::inRange(1, 12);
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  const double spread = std::pow(10.0, *rc::gen::inRange(-30, 10) / 10.0);
  const Mat points = clustered_points(n, d, spread, seed);
  const BasinGeometry geometry(points);
  Rng rng(seed, 4);
  for (int trial = 0; trial < 6; ++trial) {
    // From noise-dominated (lambda ~ 0.1) to deep into the basin (lambda ~ 1e4).
    const double lambda = std::pow(10.0, rng.uniform() * 5 - 1), sigma = std::pow(10.0, rng.uniform() * 4 - 2);
    const double alpha = lambda * sigma;
    Vec x = alpha * points.col(rng.index(n));
    for (int j = 0; j < d; ++j) x[j] += sigma * rng.normal() * (rng.uniform() < 0.5 ? 1.0 : 1e-3);
    const BasinErrors none{}, state{1e-6 * rng.uniform(), 0}, both{rng.uniform() * 1e-3, kEps * lambda};
    BasinSnapshot snapshot(geometry, alpha, sigma, x);
    for (const BasinErrors& e : {none, state, both, none})
      expect_same(snapshot.read(e), direct_reading(points, alpha, sigma, x, e));
    expect_same(read_basin(points, alpha, sigma, x, both), direct_reading(points, alpha, sigma, x, both));
  }
}

// Many columns at once, with more centres than fit one cache block (d = 2000: blocks of 16).
TEST(BasinSnapshot, BatchedLogitsGiveTheSameReadings) {
  const Mat points = clustered_points(50, 2000, 0.3, 11);
  const BasinGeometry geometry(points);
  Rng rng(12);
  const double alpha = 0.8, sigma = 0.05;
  Mat x(2000, 5);
  for (int j = 0; j < 5; ++j) {
    x.col(j) = alpha * points.col(rng.index(50));
    for (int i = 0; i < 2000; ++i) x(i, j) += sigma * rng.normal();
  }
  const Mat logits = basin_logits(geometry, alpha, sigma, x);
  std::vector<BasinSnapshot> many = BasinSnapshot::many(geometry, alpha, sigma, x);
  ASSERT_EQ(many.size(), 5u);
  for (const BasinErrors& e : {BasinErrors{}, BasinErrors{1e-8, 1e-14}})
    for (int j = 0; j < 5; ++j) {
      const Vec xj = x.col(j);
      BasinSnapshot snapshot(geometry, alpha, sigma, xj, logits.col(j));
      const BasinReading want = direct_reading(points, alpha, sigma, xj, e);
      for (const BasinReading& got : {snapshot.read(e), many[static_cast<std::size_t>(j)].read(e)}) {
        EXPECT_EQ(got.leader, want.leader);
        EXPECT_EQ(got.certified, want.certified);
        EXPECT_EQ(got.ambiguous, want.ambiguous);
        EXPECT_TRUE(same(got.growth, want.growth));
        EXPECT_TRUE(same(got.max_step, want.max_step));
        EXPECT_TRUE(same(got.resolution, want.resolution));
      }
    }
  EXPECT_THROW(BasinSnapshot(geometry, alpha, sigma, x.col(0), Vec::Zero(3)), std::invalid_argument);
}

TEST(BasinSnapshot, NonFiniteStatesGetTheDirectReading) {
  const Mat points = clustered_points(8, 3, 0.1, 7);
  const BasinGeometry geometry(points);
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), 1e200}) {
    Vec x = points.col(2);
    x[1] = bad;
    const BasinErrors e{1e-9, 1e-12};
    const BasinReading got = read_basin(geometry, 0.9, 0.1, x, e), want = direct_reading(points, 0.9, 0.1, x, e);
    EXPECT_EQ(got.leader, want.leader);
    EXPECT_EQ(got.certified, want.certified);
    EXPECT_EQ(got.ambiguous, want.ambiguous);
    EXPECT_TRUE(same(got.growth, want.growth)) << got.growth << " vs " << want.growth;
    EXPECT_TRUE(same(got.max_step, want.max_step)) << got.max_step << " vs " << want.max_step;
  }
}

TEST(BasinGeometry, DistancesFromEveryLeader) {
  const Mat points = clustered_points(30, 5, 1.0, 9);
  const BasinGeometry geometry(points);
  for (int round = 0; round < 2; ++round)
    for (int k = 0; k < 30; ++k) {
      const auto dist = geometry.distances_from(k);
      for (int i = 0; i < 30; ++i) ASSERT_EQ((*dist)[i], (points.col(i) - points.col(k)).norm());
    }
  EXPECT_EQ(geometry.max_norm(), points.colwise().norm().maxCoeff());
}

// The certificate itself: one well-separated point far inside its basin is certified, a state
// half-way between two points is ambiguous.
TEST(BasinReading, CertifiesDeepInsideAndNotOnTheBoundary) {
  Mat points(2, 2);
  points << 0, 1, 0, 0;
  const BasinGeometry geometry(points);
  const Vec inside = Vec::Zero(2);
  const BasinReading deep = read_basin(geometry, 1.0, 0.05, inside);
  EXPECT_TRUE(deep.certified);
  EXPECT_EQ(deep.leader, 0);
  Vec middle(2);
  middle << 0.5, 0;
  const BasinReading edge = read_basin(geometry, 1.0, 0.05, middle, {0.1, 0});
  EXPECT_FALSE(edge.certified);
  EXPECT_TRUE(edge.ambiguous);
}

}  // namespace
}  // namespace siv
