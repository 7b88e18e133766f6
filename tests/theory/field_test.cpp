// OracleVelocity (theory/field.hpp): settled() reports k only when the weight deficit 1 - w_k is
// below e^kSettledLogDeficit, and the rest of the path then keeps reporting k.
#include <gtest/gtest.h>

#include "support.hpp"
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "properties/generators.hpp"
// The theory test target links only the theory library; compile the shared builder in here.
#include "properties/training_set.hpp"
#include "theory/field.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;

// The larger of two values; NaN wins so that it cannot be hidden.
double worse(double a, double b) { return std::isnan(a) || a > b ? a : b; }

// Independent log(1 - w_k) for the top-weight centre k: logsumexp over j != k minus logsumexp
// over all j, with logits from fma differences. No 1 - w cancellation; error about
// (d + 8) u (|l_k| + max_j |l_j| of the contributing j), reported as `error`.
struct Deficit {
  int best = 0;
  double log_deficit = -std::numeric_limits<double>::infinity(), error = 0;
};

Deficit deficit(const Mat& data, double alpha, double sigma, const Vec& x) {
  const int n = static_cast<int>(data.rows()), d = static_cast<int>(data.cols());
  const Vec l = test::reference_logits(data, alpha, sigma, x);
  Deficit out;
  l.maxCoeff(&out.best);
  if (n == 1) return out;
  double second = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < n; ++j)
    if (j != out.best) second = std::max(second, l[j]);
  double others = 0, all = 0;
  for (int j = 0; j < n; ++j) {
    all += std::exp(l[j] - l[out.best]);
    if (j != out.best) others += std::exp(l[j] - second);
  }
  out.log_deficit = second + std::log(others) - l[out.best] - std::log(all);
  out.error = (d + 8) * kUnit * (std::abs(l[out.best]) + std::abs(second) + std::abs(out.log_deficit));
  return out;
}

using Settle = std::function<int(const OracleField&, double t, const Vec& x)>;

int oracle_settled(const OracleField& field, double t, const Vec& x) { return OracleVelocity(field).settled(t, x); }

// Mutant: "settled once the top weight rounds to 1" (deficit below about u = e^-36.7, not e^-40).
int settled_when_wmax_is_one(const OracleField& field, double t, const Vec& x) {
  Posterior p;
  field.posterior(field.schedule().alpha(t), field.schedule().sigma(t), x, p);
  return p.wmax == 1 ? p.nearest : -1;
}

// Points whose deficit straddles the threshold: on the segment from alpha y_a toward its nearest
// neighbour alpha y_b, where l_a - l_b = alpha^2 |y_b - y_a|^2 (1 - 2 lambda) / (2 sigma^2) equals
// gap, gap + 1.5, ..., gap + 6 (log deficit about minus that); plus one point alpha y_a + sigma xi.
struct SettleCase {
  TrainingSetSpec spec;
  std::string schedule;
  double t;
  double gap;  // smallest target l_a - l_b
  std::uint64_t seed;
};

void showValue(const SettleCase& c, std::ostream& os) {
  os << c.spec << " schedule=" << c.schedule << " t=" << c.t << " gap=" << c.gap << " seed=" << c.seed;
}

rc::Gen<SettleCase> settle_gen() {
  return rc::gen::apply(
      [](TrainingSetSpec spec, std::string schedule, double t, int gap_tenths, std::uint64_t seed) {
        return SettleCase{spec, std::move(schedule), t, gap_tenths / 10.0, seed};
      },
      gen::training_set_spec(16, 8), gen::schedule_spec(),
      rc::gen::resize(rc::kNominalSize, gen::log_uniform(1e-6, 1.0)),
      rc::gen::resize(rc::kNominalSize, rc::gen::inRange(320, 421)), rc::gen::arbitrary<std::uint64_t>());
}

// Worst violation of the contract over the case's points (0 when it holds).
double settle_violation(const Settle& settle, const SettleCase& c) {
  const Mat data = build_training_set(c.spec);
  const SchedulePtr schedule = make_schedule(c.schedule);
  const OracleField field(data, schedule);
  const double t = c.t, alpha = schedule->alpha(t), sigma = schedule->sigma(t);
  const int n = c.spec.n;
  Rng rng(c.seed, 6);
  const int a = rng.index(n);
  int b = a;
  for (int j = 0; j < n; ++j)
    if (j != a && (b == a || (data.row(j) - data.row(a)).norm() < (data.row(b) - data.row(a)).norm())) b = j;
  const Vec ya = data.row(a).transpose(), yb = data.row(b).transpose();
  const double spread = alpha * alpha * (yb - ya).squaredNorm();
  std::vector<Vec> points{alpha * ya + sigma * rng.normal_vector(c.spec.d)};
  for (double extra : {0.0, 1.5, 3.0, 4.5, 6.0}) {
    const double gap = c.gap + extra;
    const double lambda = spread > 0 ? std::clamp(0.5 * (1 - 2 * sigma * sigma * gap / spread), 0.0, 0.5) : 0.0;
    points.push_back(alpha * (ya + lambda * (yb - ya)));
  }
  double worst = 0;
  for (const Vec& x : points) {
    const int k = settle(field, t, x);
    const Deficit ref = deficit(data, alpha, sigma, x);
    if (k < 0) {
      worst = worse(worst, kSettledLogDeficit - ref.error - ref.log_deficit);
      continue;
    }
    if (k != ref.best) return std::numeric_limits<double>::infinity();
    worst = worse(worst, ref.log_deficit - (kSettledLogDeficit + ref.error));
    // The rest of the path Z_s = alpha(s) y_k + sigma(s) (x - alpha(t) y_k) / sigma(t) stays settled.
    const Vec c0 = (x - alpha * data.row(k).transpose()) / sigma;
    for (double f : {0.5, 1e-2, 1e-4}) {
      const double s = f * t;
      if (settle(field, s, schedule->alpha(s) * data.row(k).transpose() + schedule->sigma(s) * c0) != k)
        return std::numeric_limits<double>::infinity();
    }
  }
  return worst;
}

void settle_property(const Settle& settle) { RC_ASSERT(settle_violation(settle, *settle_gen()) <= 0.0); }

RC_GTEST_PROP(OracleVelocity, SettledOnlyBelowThreshold, ()) { settle_property(oracle_settled); }

TEST(OracleVelocity, SettledRejectsWmaxRoundingRule) {
  EXPECT_FALSE(rc::check("mutant: settled when wmax == 1", [] { settle_property(settled_when_wmax_is_one); }));
}

// The Field interface forwards to the oracle.
TEST(OracleVelocity, ForwardsToOracle) {
  const Mat data = (Mat(3, 2) << 0.0, 1.0, 2.0, -1.0, -0.5, 0.25).finished();
  const OracleField oracle(data, make_schedule("vp"));
  const OracleVelocity field(oracle);
  const Field& f = field;
  EXPECT_EQ(f.dim(), 2);
  EXPECT_EQ(f.points(), oracle.points());
  EXPECT_EQ(&f.schedule(), &oracle.schedule());
  EXPECT_EQ(&field.oracle(), &oracle);
  const Vec x = (Vec(2) << 0.3, -0.2).finished();
  Vec b(2), s(2), bo(2), so(2);
  f.velocity(0.4, x, b);
  f.score(0.4, x, s);
  oracle.velocity(0.4, x, bo);
  oracle.score(0.4, x, so);
  EXPECT_EQ(b, bo);
  EXPECT_EQ(s, so);
  // Far from settled at a moderate t between centres; settled next to a centre at tiny t.
  EXPECT_EQ(f.settled(0.9, x), -1);
  EXPECT_EQ(f.settled(1e-4, oracle.schedule().alpha(1e-4) * data.row(1).transpose()), 1);
}

}  // namespace
}  // namespace siv
