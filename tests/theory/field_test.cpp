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

#include <boost/numeric/odeint.hpp>

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

// Independent restatement of the certificate: with k the top logit and C the points identical to
// y_k, settled iff 1 - w_C < rho_k = min_{j not in C} |y_j - y_k| / (2 max_j |y_j - y_k|).
// Returns the deficit and rho, with the deficit's rounding error (about (d + 8) u |l| relative).
struct Certificate {
  int best = 0;
  double deficit = 0, rho = std::numeric_limits<double>::infinity(), error = 0;
};

Certificate certificate(const Mat& data, double alpha, double sigma, const Vec& x) {
  const int n = static_cast<int>(data.rows()), d = static_cast<int>(data.cols());
  const Vec l = test::reference_logits(data, alpha, sigma, x);
  Certificate out;
  l.maxCoeff(&out.best);
  double outside = 0, all = 0, closest = std::numeric_limits<double>::infinity(), reach = 0;
  for (int j = 0; j < n; ++j) {
    const double w = std::exp(l[j] - l[out.best]);
    all += w;
    const double dist = (data.row(j) - data.row(out.best)).norm();
    if (dist == 0) continue;
    outside += w;
    closest = std::min(closest, dist);
    reach = std::max(reach, dist);
  }
  out.deficit = outside / all;
  if (reach > 0) out.rho = closest / (2 * reach);
  // The certificate may read every gap lower by its rounding allowance (theory/basin.hpp): the
  // standardized state to 2 eps sqrt(d) (|x|/sigma + lambda max|y|), times lambda |delta|, plus
  // 4 eps |l| per logit; the deficit then grows by that factor e^allowance.
  const double lambda = alpha / sigma, l_max = l.cwiseAbs().maxCoeff();
  const double allowance =
      lambda * reach * 4 * kUnit * std::sqrt(double(d)) * (x.norm() / sigma + lambda * data.rowwise().norm().maxCoeff()) +
      16 * kUnit * l_max + (d + 8) * kUnit * l_max;
  out.error = std::expm1(allowance) * out.deficit + 4 * kUnit;
  return out;
}

using Settle = std::function<int(const OracleField&, double t, const Vec& x)>;

int oracle_settled(const OracleField& field, double t, const Vec& x) { return OracleVelocity(field).settled(t, x); }

// Mutant: "settled once the weights are one-hot" without looking at the geometry is safe; the
// tempting shortcut is "settled as soon as k leads" (no deficit bound at all).
int settled_when_leading(const OracleField& field, double t, const Vec& x) {
  Posterior p;
  field.posterior(field.schedule().alpha(t), field.schedule().sigma(t), x, p);
  return p.nearest;
}

// Points whose deficit straddles rho: on the segment from alpha y_a toward its nearest neighbour
// alpha y_b, at positions whose two-point deficit is rho times 2^-3 .. 2^3; plus alpha y_a + sigma xi.
struct SettleCase {
  TrainingSetSpec spec;
  std::string schedule;
  double t;
  std::uint64_t seed;
};

void showValue(const SettleCase& c, std::ostream& os) {
  os << c.spec << " schedule=" << c.schedule << " t=" << c.t << " seed=" << c.seed;
}

rc::Gen<SettleCase> settle_gen() {
  return rc::gen::apply(
      [](TrainingSetSpec spec, std::string schedule, double t, std::uint64_t seed) {
        return SettleCase{spec, std::move(schedule), t, seed};
      },
      gen::training_set_spec(16, 8), gen::schedule_spec(),
      rc::gen::resize(rc::kNominalSize, gen::log_uniform(1e-6, 1.0)), rc::gen::arbitrary<std::uint64_t>());
}

struct Scenario {
  Mat data;
  SchedulePtr schedule;
  double t;
  std::vector<Vec> points;
};

Scenario scenario(const SettleCase& c) {
  Scenario s{build_training_set(c.spec), make_schedule(c.schedule), c.t, {}};
  const double alpha = s.schedule->alpha(c.t), sigma = s.schedule->sigma(c.t);
  const int n = c.spec.n;
  Rng rng(c.seed, 6);
  const int a = rng.index(n);
  int b = a;
  for (int j = 0; j < n; ++j)
    if (j != a && (b == a || (s.data.row(j) - s.data.row(a)).norm() < (s.data.row(b) - s.data.row(a)).norm())) b = j;
  const Vec ya = s.data.row(a).transpose(), yb = s.data.row(b).transpose();
  s.points.push_back(alpha * ya + sigma * rng.normal_vector(c.spec.d));
  const Certificate at_a = certificate(s.data, alpha, sigma, alpha * ya);
  const double spread = alpha * alpha * (yb - ya).squaredNorm();
  for (int e = -3; e <= 3 && spread > 0; ++e) {
    // Two-point gap g with deficit 1/(1 + e^g) = rho 2^e; position from g = spread (1 - 2 f) / (2 sigma^2).
    const double target = std::min(0.49, at_a.rho * std::ldexp(1.0, e));
    const double gap = std::log(1 / target - 1);
    const double f = std::clamp(0.5 * (1 - 2 * sigma * sigma * gap / spread), 0.0, 0.5);
    s.points.push_back(alpha * (ya + f * (yb - ya)));
  }
  return s;
}

// Worst violation of "settled iff the deficit is below rho" over the case (0 when it holds).
double settle_violation(const Settle& settle, const SettleCase& c) {
  const Scenario s = scenario(c);
  const double alpha = s.schedule->alpha(s.t), sigma = s.schedule->sigma(s.t);
  const OracleField field(s.data, s.schedule);
  double worst = 0;
  for (const Vec& x : s.points) {
    const int k = settle(field, s.t, x);
    const Certificate ref = certificate(s.data, alpha, sigma, x);
    if (k < 0) {
      worst = worse(worst, ref.rho - ref.error - ref.deficit);
      continue;
    }
    if ((s.data.row(k) - s.data.row(ref.best)).norm() != 0) return std::numeric_limits<double>::infinity();
    worst = worse(worst, ref.deficit - (ref.rho + ref.error));
  }
  return worst;
}

void settle_property(const Settle& settle) { RC_ASSERT(settle_violation(settle, *settle_gen()) <= 0.0); }

RC_GTEST_PROP(OracleVelocity, SettledExactlyBelowRho, ()) { settle_property(oracle_settled); }

TEST(OracleVelocity, SettledRejectsLeaderOnlyRule) {
  EXPECT_FALSE(rc::check("mutant: settled when leading", [] { settle_property(settled_when_leading); }));
}

// The certificate's promise: from a settled (lambda, u), the exact flow du/dlambda = m never
// changes leader. Integrated in the schedule-free frame with Odeint's dopri5 (tolerance 1e-10)
// to 8 lambda + 8, well past every decision scale of a unit-scale set (weights one-hot there).
int leader_at_end(const Mat& data, double lambda, const Vec& u0) {
  namespace odeint = boost::numeric::odeint;
  using State = std::vector<double>;
  const OracleField oracle(data, make_schedule("linear"));
  const Eigen::Index d = u0.size();
  Posterior p;
  State u(u0.data(), u0.data() + d);
  odeint::integrate_adaptive(
      odeint::make_controlled(1e-10, 1e-10, odeint::runge_kutta_dopri5<State>()),
      [&](const State& x, State& dx, double l) {
        oracle.posterior(l, 1.0, Eigen::Map<const Vec>(x.data(), d), p);
        Eigen::Map<Vec>(dx.data(), d) = p.m;
      },
      u, lambda, 8 * lambda + 8, 1e-3);
  oracle.posterior(8 * lambda + 8, 1.0, Eigen::Map<const Vec>(u.data(), d), p);
  return p.nearest;
}

struct FlowCase {
  Mat data;
  double lambda;
  Vec u;
};

void showValue(const FlowCase& c, std::ostream& os) {
  os << "lambda=" << c.lambda << " u=" << c.u.transpose() << "\n" << c.data;
}

// Random sets (n = 3..5, d = 1..2, unit scale) and standardized states near their centres,
// where the leader's weight is moderate: the region where a certificate can be wrong.
rc::Gen<FlowCase> flow_gen() {
  return rc::gen::exec([] {
    const int n = *rc::gen::inRange(3, 6), d = *rc::gen::inRange(1, 3);
    const auto seed = *rc::gen::arbitrary<std::uint64_t>();
    Rng rng(seed, 9);
    FlowCase c{test::random_data(n, d, 1.0, seed), 0.2 + 3 * rng.uniform(), Vec()};
    const int k = rng.index(n);
    c.u = c.lambda * c.data.row(k).transpose() + rng.normal_vector(d);
    return c;
  });
}

void flow_property(const Settle& settle) {
  const FlowCase c = *flow_gen();
  const OracleField field(c.data, make_schedule("linear"));
  // linear: alpha/sigma = (1 - t)/t = lambda at t = 1/(1 + lambda); x = sigma u.
  const double t = 1 / (1 + c.lambda);
  const int k = settle(field, t, field.schedule().sigma(t) * c.u);
  RC_PRE(k >= 0);
  RC_ASSERT(leader_at_end(c.data, c.lambda, c.u) == k);
}

TEST(OracleVelocity, CertifiedBasinNeverChanges) {
  EXPECT_TRUE(rc::check("certified basins hold", [] { flow_property(oracle_settled); }));
}

TEST(OracleVelocity, BasinCheckRejectsLeaderOnlyRule) {
  EXPECT_FALSE(rc::check("mutant: leader only", [] { flow_property(settled_when_leading); }));
}

// Identical points form one basin: the path settles on their shared point.
TEST(OracleVelocity, DuplicatesSettleOnTheirPoint) {
  const Mat data = (Mat(3, 1) << 1.0, 1.0, -2.0).finished();
  const OracleField oracle(data, make_schedule("linear"));
  const OracleVelocity field(oracle);
  const double t = 0.2;  // lambda = 4
  EXPECT_EQ(field.settled(t, Vec::Constant(1, 0.8 * 1.0)), 0);
  EXPECT_EQ(field.settled(t, Vec::Constant(1, 0.8 * -2.0)), 2);
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
