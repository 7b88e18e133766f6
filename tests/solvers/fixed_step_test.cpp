// Fixed-step Euler, Heun and RK4 (solvers/fixed_step.hpp) against closed forms: the Euler
// last-step identity of THEORY.md C2, exact landing on the linear schedule, the h^p rates on
// bridge:2 (p = 1/2) and power:0.25, and the classical orders on a problem with a known solution.
// Each check also runs on a mutant and the test asserts that it rejects it.
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "properties/training_set.hpp"
#include "solvers/convergence.hpp"
#include "solvers/fixed_step.hpp"
#include "solvers/start.hpp"
#include "theory/random.hpp"
#include "support.hpp"

namespace siv {
namespace {

using test::check_cases;
using test::Problem;

constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;

rc::Gen<TrainingSetSpec> set_spec() {
  return rc::gen::map(gen::training_set_spec(64, 16), [](TrainingSetSpec s) {
    s.d = std::max(s.d, 2);
    return s;
  });
}

// Euler, keeping the state at t = h (before the last step) as well as Z_0.
struct EulerRun {
  Endpoint end;
  Vec z_h;
};
EulerRun euler(const Field& field, const Vec& z1, int steps) {
  EulerRun run;
  int calls = 0;
  run.end = solve_fixed(field, z1, Method::euler, steps, [&](double, const Vec& z) {
    if (++calls == steps) run.z_h = z;  // calls: t_N = 1, ..., t_1 = h, t_0 = 0
  });
  return run;
}

// ---------------------------------------------------------------------------------------------
// C2 last-step identity. With Z_h = alpha(h) y_k + sigma(h) xi_1 and m = y_k + r at (h, Z_h),
// b = alpha' m + (sigma'/sigma)(Z_h - alpha m) = alpha' y_k + sigma' xi_1 + kappa r, so
//   Z_0 - y_k = Z_h - h b - y_k = (alpha - h alpha' - 1) y_k + (sigma - h sigma') xi_1 - h kappa r,
// all at t = h, for any k. Rounding: each side is a handful of operations on terms no larger than
// those listed in `scale`, so 16 u * scale bounds the difference.

struct IdentityCheck {
  std::string problem;
  double error = 0, tolerance = 0;
};

IdentityCheck last_step_identity(const Field& field, const OracleField& oracle, const Vec& z1,
                                 int steps) {
  const EulerRun run = euler(field, z1, steps);
  if (run.end.ending != Ending::reached_end) return {"ending " + to_string(run.end.ending)};
  const Schedule& s = oracle.schedule();
  const double h = 1.0 / steps;
  Posterior post;
  oracle.posterior(s.alpha(h), s.sigma(h), run.z_h, post);
  const Vec y = oracle.points().col(post.nearest);
  const Vec xi = (run.z_h - s.alpha(h) * y) / s.sigma(h);
  const Vec& r = post.offset;
  const double a = s.alpha(h) - h * s.dalpha(h) - 1, b = s.sigma(h) - h * s.dsigma(h);
  const double hk = h * s.kappa(h);
  const Vec predicted = a * y + b * xi - hk * r;
  const Vec residual = run.z_h - s.alpha(h) * post.m;
  const double scale =
      run.z_h.norm() + h * std::abs(s.dalpha(h)) * post.m.norm() +
      h * std::abs(s.log_sigma_rate(h)) * residual.norm() +
      (std::abs(s.alpha(h)) + h * std::abs(s.dalpha(h)) + 2) * y.norm() +
      (s.sigma(h) + h * std::abs(s.dsigma(h))) * xi.norm() + std::abs(hk) * r.norm();
  IdentityCheck out;
  out.error = (run.end.z - y - predicted).norm();
  out.tolerance = 16 * kUnit * scale;
  if (!(out.error <= out.tolerance))
    out.problem = "identity off by " + std::to_string(out.error / out.tolerance) + " tolerances";
  return out;
}

TEST(FixedStep, EulerLastStepIdentity) {
  check_cases(40, [] {
    const auto spec = *set_spec();
    const auto schedule = *gen::schedule_spec();
    const int steps = *rc::gen::element(1, 2, 3, 10, 64, 1000, 4096);
    const Problem p(build_training_set(spec), schedule);
    Rng rng(*rc::gen::arbitrary<std::uint64_t>());
    const auto c = last_step_identity(*p.field, *p.oracle, draw_start(*p.oracle, rng).z, steps);
    RC_ASSERT(c.problem == "");
  });
}

// Mutant: an Euler step with the wrong sign (Z_h + h b) breaks the identity.
TEST(FixedStep, IdentityCheckRejectsWrongSign) {
  const Problem p(build_training_set({5, 3, 1.0, 4}), "bridge:2");
  const test::NegatedField mutant(*p.field);
  Rng rng(8);
  const Vec z1 = draw_start(*p.oracle, rng).z;
  EXPECT_EQ(last_step_identity(*p.field, *p.oracle, z1, 100).problem, "");
  EXPECT_NE(last_step_identity(mutant, *p.oracle, z1, 100).problem, "");
}

// ---------------------------------------------------------------------------------------------
// Linear schedule: alpha - h alpha' - 1 = 0, sigma - h sigma' = 0 and h kappa = -1, so the
// identity reads Z_0 = m(h, Z_h): Euler lands on y_k up to |r| <= (1 - w_k) max_l |y_l - y_k|.
// With h = 1e-3 and separation >= 0.1 the margin at t = h is about
// (0.1^2 - 2 h |xi| 0.1) / (2 h^2) ~ 4000, so 1 - w_k underflows; the landing error is then the
// rounding of the last step, a few u |y_k| <= 1e-13 for these sets (|y| < 200).
constexpr int kLinearSteps = 1000;
constexpr double kLinearTol = 1e-12;

std::string linear_landing_problem(const Field& field, const OracleField& oracle, const Vec& z1) {
  const EulerRun run = euler(field, z1, kLinearSteps);
  const double h = 1.0 / kLinearSteps;
  Posterior post;
  oracle.posterior(oracle.schedule().alpha(h), oracle.schedule().sigma(h), run.z_h, post);
  double spread = 0;
  for (Eigen::Index l = 0; l < oracle.points().cols(); ++l)
    spread = std::max(spread, (oracle.points().col(l) - oracle.points().col(post.nearest)).norm());
  // Assumption of the error model: the deficit term is below 1e-13.
  if (!(post.log_deficit + std::log(std::max(spread, 1.0)) < std::log(1e-13)))
    return "margin assumption fails: log deficit " + std::to_string(post.log_deficit);
  if (!(run.end.dist <= kLinearTol)) return "dist " + std::to_string(run.end.dist);
  return {};
}

TEST(FixedStep, EulerOnLinearLandsOnTrainingPoint) {
  check_cases(30, [] {
    const Problem p(build_training_set(*set_spec()), "linear");
    Rng rng(*rc::gen::arbitrary<std::uint64_t>());
    RC_ASSERT(linear_landing_problem(*p.field, *p.oracle, draw_start(*p.oracle, rng).z) == "");
  });
}

TEST(FixedStep, LinearLandingCheckRejectsWrongSign) {
  const Problem p(build_training_set({5, 3, 1.0, 4}), "linear");
  const test::NegatedField mutant(*p.field);
  Rng rng(8);
  EXPECT_NE(linear_landing_problem(mutant, *p.oracle, draw_start(*p.oracle, rng).z), "");
}

// ---------------------------------------------------------------------------------------------
// Rates. error(h) = mean over fixed starts (common random numbers) of dist(Z_0, Y). For power:p
// the identity gives Z_0 - y_k ~ (1 - p) h^p xi_1 once the margin holds at t = h, so the rate is p
// (1/2 for bridge:2, where sigma - h sigma' = sqrt(h / (2 - h))). The set (n = 5, d = 2,
// separation 2) keeps the margin assumption u >= log((n - 1)/sqrt(h)) of THEORY.md C2 on the
// whole ladder; the test verifies it for every start and rung.

const std::vector<int> kRateLadder = {256, 512, 1024, 2048, 4096, 8192, 16384};

struct RateRun {
  ConvergenceStudy study;
  long margin_failures = 0;
};

RateRun euler_rate(const Field& field, const OracleField& oracle, int starts) {
  Rng rng(12);
  std::vector<Vec> z1;
  for (int i = 0; i < starts; ++i) z1.push_back(draw_start(oracle, rng).z);
  RateRun out;
  ConvergenceOptions options;
  options.floor = 64 * kUnit;  // errors here are >= 1e-3; only a collapse would reach this
  out.study = convergence_study(kRateLadder, [&](int steps) {
    const double h = 1.0 / steps;
    double total = 0;
    for (const Vec& z : z1) {
      const EulerRun run = euler(field, z, steps);
      total += run.end.dist;
      Posterior post;
      if (!run.z_h.allFinite()) continue;
      oracle.posterior(oracle.schedule().alpha(h), oracle.schedule().sigma(h), run.z_h, post);
      out.margin_failures += !(post.margin >= std::log((oracle.size() - 1) / std::sqrt(h)));
    }
    return total / starts;
  }, options);
  return out;
}

// The rate check: fitted, and the 95% interval contains the expected rate.
std::string rate_problem(const ConvergenceStudy& s, double expected) {
  if (s.status != ConvergenceStatus::fitted) return "status " + to_string(s.status);
  if (!s.rate_ci.contains(expected))
    return "rate " + std::to_string(s.rate) + " CI [" + std::to_string(s.rate_ci.lo) + ", " +
           std::to_string(s.rate_ci.hi) + "] misses " + std::to_string(expected);
  return {};
}

void print(const char* label, const ConvergenceStudy& s) {
  std::printf("%s: rate %.5f, 95%% CI [%.5f, %.5f], window %zu points, R^2 %.6f\n", label, s.rate,
              s.rate_ci.lo, s.rate_ci.hi, s.window_end - s.window_begin, s.r2);
}

TEST(FixedStep, EulerRateOnBridgeIsHalf) {
  const Problem p(build_training_set({5, 2, 2.0, 3}), "bridge:2");
  const RateRun run = euler_rate(*p.field, *p.oracle, 32);
  print("bridge:2", run.study);
  EXPECT_EQ(run.margin_failures, 0);
  EXPECT_EQ(rate_problem(run.study, 0.5), "");

  // Mutants: the same check rejects the power:0.25 schedule and a wrong-sign Euler step.
  const Problem quarter(build_training_set({5, 2, 2.0, 3}), "power:0.25");
  EXPECT_NE(rate_problem(euler_rate(*quarter.field, *quarter.oracle, 32).study, 0.5), "");
  const test::NegatedField wrong(*p.field);
  EXPECT_NE(rate_problem(euler_rate(wrong, *p.oracle, 4).study, 0.5), "");
}

TEST(FixedStep, EulerRateOnPowerQuarterIsQuarter) {
  const Problem p(build_training_set({5, 2, 2.0, 3}), "power:0.25");
  const RateRun run = euler_rate(*p.field, *p.oracle, 32);
  print("power:0.25", run.study);
  EXPECT_EQ(run.margin_failures, 0);
  EXPECT_EQ(rate_problem(run.study, 0.25), "");
  // Mutant: bridge:2 (rate 1/2) is rejected by the same check.
  const Problem bridge(build_training_set({5, 2, 2.0, 3}), "bridge:2");
  EXPECT_NE(rate_problem(euler_rate(*bridge.field, *bridge.oracle, 32).study, 0.25), "");
}

// Linear schedule: the Euler error sits at machine precision on the whole ladder; the study must
// say so instead of fitting a rate. Floor: a few u |y| (rounding of the last step).
TEST(FixedStep, EulerOnLinearIsAtFloor) {
  const Mat data = build_training_set({5, 2, 2.0, 3});
  ConvergenceOptions options;
  options.floor = 64 * kUnit * data.rowwise().norm().maxCoeff();
  const auto study = [&](const Field& field, const OracleField& oracle) {
    Rng rng(12);
    std::vector<Vec> z1;
    for (int i = 0; i < 16; ++i) z1.push_back(draw_start(oracle, rng).z);
    return convergence_study({16, 32, 64, 128, 256, 512}, [&](int steps) {
      double worst = 0;
      for (const Vec& z : z1) worst = std::max(worst, euler(field, z, steps).end.dist);
      return worst;
    }, options);
  };
  const Problem linear(data, "linear");
  EXPECT_EQ(study(*linear.field, *linear.oracle).status, ConvergenceStatus::at_floor);
  // Mutant: the bridge schedule's errors are far above the floor and get fitted.
  const Problem bridge(data, "bridge:2");
  EXPECT_EQ(study(*bridge.field, *bridge.oracle).status, ConvergenceStatus::fitted);
}

// ---------------------------------------------------------------------------------------------
// Orders on a problem with a known solution: one training point y. Then m = y, w = Z - alpha y
// obeys w' = (sigma'/sigma) w, so Z(t) = alpha(t) y + sigma(t) (z1 - alpha(1) y) / sigma(1).
// Trig schedule: smooth on [1/2, 1], and not solved exactly by any of the methods (on the linear
// schedule Euler is already exact). Errors are measured at t = 1/2, away from the singular
// coefficient sigma'/sigma ~ 1/t and from the last (Euler) step. RK4 runs 8..256 steps, where
// its error (~1e-10 at 256) stays far above rounding (~1e-14).

using HalfwaySolver = std::function<Vec(const Field&, const Vec&, int)>;

Vec at_half(const Field& field, const Vec& z1, Method method, int steps) {
  Vec half;
  solve_fixed(field, z1, method, steps, [&](double t, const Vec& z) {
    if (t == 0.5) half = z;
  });
  return half;
}

struct OnePoint {
  Problem problem;
  Vec y, z1;
  OnePoint() : problem(Mat(Eigen::RowVector3d(0.3, -1.2, 2.0)), "trig"), y(3), z1(3) {
    y << 0.3, -1.2, 2.0;
    z1 << 0.7, 0.1, -0.4;
  }
  Vec exact(double t) const {
    const Schedule& s = problem.oracle->schedule();
    return s.alpha(t) * y + s.sigma(t) * (z1 - s.alpha(1.0) * y) / s.sigma(1.0);
  }
};

// Errors of solve (which returns the state at time `at`) over the ladder 8..max_steps.
ConvergenceStudy order_study(const OnePoint& one, const HalfwaySolver& solve, int max_steps,
                             double at = 0.5) {
  std::vector<int> ladder;
  for (int s = 8; s <= max_steps; s *= 2) ladder.push_back(s);
  ConvergenceOptions options;
  options.floor = 1e-13;
  const Vec exact = one.exact(at);
  return convergence_study(ladder, [&](int steps) {
    return (solve(*one.problem.field, one.z1, steps) - exact).norm();
  }, options);
}

HalfwaySolver method(Method m) {
  return [m](const Field& f, const Vec& z1, int steps) { return at_half(f, z1, m, steps); };
}

TEST(FixedStep, ClassicalOrdersAwayFromTheLastStep) {
  const OnePoint one;
  const auto euler_study = order_study(one, method(Method::euler), 1024);
  const auto heun_study = order_study(one, method(Method::heun), 1024);
  const auto rk4_study = order_study(one, method(Method::rk4), 256);
  print("euler at t = 1/2", euler_study);
  print("heun at t = 1/2", heun_study);
  print("rk4 at t = 1/2", rk4_study);
  EXPECT_EQ(rate_problem(euler_study, 1), "");
  EXPECT_EQ(rate_problem(heun_study, 2), "");
  EXPECT_EQ(rate_problem(rk4_study, 4), "");
}

// Mutant: RK4 with its middle stages evaluated at t instead of t - h/2 drops to first order.
TEST(FixedStep, OrderCheckRejectsRk4WithWrongStageTimes) {
  const OnePoint one;
  const HalfwaySolver mutant = [](const Field& f, const Vec& z1, int steps) {
    const double h = 1.0 / steps;
    Vec z = z1, k1(3), k2(3), k3(3), k4(3);
    for (int j = steps; 2 * j > steps; --j) {
      const double t = static_cast<double>(j) / steps;
      f.velocity(t, z, k1);
      f.velocity(t, z - 0.5 * h * k1, k2);  // should be t - h/2
      f.velocity(t, z - 0.5 * h * k2, k3);  // should be t - h/2
      f.velocity(t - h, z - h * k3, k4);
      z -= h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return z;
  };
  EXPECT_NE(rate_problem(order_study(one, mutant, 256), 4), "");
}

// The endpoint is only second order for Heun and RK4 on trig: the last (Euler) step leaves
// (alpha(h) - h alpha'(h) - 1) y = (pi^2/8) h^2 y + O(h^4) (THEORY.md C2 identity, r = 0).
TEST(FixedStep, EndpointIsSecondOrderBecauseOfTheLastEulerStep) {
  const OnePoint one;
  for (Method m : {Method::heun, Method::rk4}) {
    const auto study = order_study(one, [m](const Field& f, const Vec& z1, int steps) {
      return solve_fixed(f, z1, m, steps).z;
    }, 1024, 0.0);
    print((to_string(m) + " at t = 0").c_str(), study);
    EXPECT_EQ(rate_problem(study, 2), "") << to_string(m);
  }
  const double h = 1.0 / 1024;
  const Vec end = solve_fixed(*one.problem.field, one.z1, Method::rk4, 1024).z;
  const double leading = std::numbers::pi * std::numbers::pi / 8 * h * h * one.y.norm();
  EXPECT_NEAR((end - one.y).norm() / leading, 1.0, 0.01);
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping.

TEST(FixedStep, ObserverGridAndEvaluations) {
  const Problem p(build_training_set({4, 2, 1.0, 5}), "vp:0.1:20");
  const test::CountingField counting(*p.field);
  const Vec z1 = Vec::Constant(2, 0.3);
  const int steps = 10;
  for (Method m : {Method::euler, Method::heun, Method::rk4}) {
    counting.calls = 0;
    std::vector<double> times;
    const Endpoint e = solve_fixed(counting, z1, m, steps, [&](double t, const Vec& z) {
      if (times.empty()) {
        EXPECT_EQ(z, z1);
      }
      times.push_back(t);
    });
    ASSERT_EQ(times.size(), static_cast<std::size_t>(steps + 1));
    for (int j = 0; j <= steps; ++j)
      EXPECT_EQ(times[static_cast<std::size_t>(steps - j)], static_cast<double>(j) / steps);
    const long per_step = m == Method::euler ? 1 : m == Method::heun ? 2 : 4;
    EXPECT_EQ(e.evaluations, per_step * (steps - 1) + 1) << to_string(m);
    EXPECT_EQ(e.evaluations, counting.calls);
    EXPECT_EQ(e.steps, steps);
    EXPECT_EQ(e.ending, Ending::reached_end);
    EXPECT_EQ(e.t_end, 0.0);
    EXPECT_EQ(std::make_pair(e.nearest, e.dist), nearest_point(p.field->points(), e.z));
  }
  EXPECT_EQ(to_string(Method::euler), "euler");
  EXPECT_EQ(to_string(Method::heun), "heun");
  EXPECT_EQ(to_string(Method::rk4), "rk4");
}

TEST(FixedStep, NonFiniteIsReportedAndBadInputRejected) {
  const Problem p(build_training_set({3, 2, 1.0, 1}), "trig");
  const test::NanBelowHalf field(*p.field);
  for (Method m : {Method::euler, Method::heun, Method::rk4}) {
    const Endpoint e = solve_fixed(field, Vec::Ones(2), m, 8);
    EXPECT_EQ(e.ending, Ending::non_finite) << to_string(m);
    EXPECT_EQ(e.nearest, -1);
    EXPECT_FALSE(e.dist <= 1e300);
    EXPECT_GE(e.t_end, 0.25);  // the first NaN enters at some t_j < 1/2
  }
  EXPECT_THROW(solve_fixed(*p.field, Vec::Ones(2), Method::euler, 0), std::invalid_argument);
  EXPECT_THROW(solve_fixed(*p.field, Vec::Ones(3), Method::euler, 4), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Batched solver: every column through one batched field call per stage. Against the per-sample
// solver: the batched field agrees with the direct kernel to its error model (a few hundred ulp of
// the state), and Euler/Heun/RK4 with 16 steps amplify that by at most e^{L} with L = the
// integrated |sigma'/sigma| over [1/16, 1] plus one last step; tolerance 1e-9 of the state. The
// thread count changes nothing (bit for bit); a field that breaks mid-path ends only that column.
TEST(FixedStepBatch, MatchesPerSampleAndIgnoresThreadCount) {
  Rng rng(5, 1);
  Mat data(40, 6);
  for (Eigen::Index i = 0; i < data.size(); ++i) data(i) = rng.normal();
  const OracleField oracle(data, make_schedule("trig"));
  const OracleVelocity one(oracle, 1), two(oracle, 2);
  Mat z1(6, 90);
  for (Eigen::Index i = 0; i < z1.cols(); ++i) z1.col(i) = draw_start(oracle, rng).z;
  for (Method method : {Method::euler, Method::heun, Method::rk4}) {
    const auto a = solve_fixed_batch(one, z1, method, 16), b = solve_fixed_batch(two, z1, method, 16);
    for (Eigen::Index i = 0; i < z1.cols(); ++i) {
      ASSERT_EQ(a[i].z, b[i].z) << to_string(method) << " column " << i;
      const Endpoint serial = solve_fixed(one, z1.col(i), method, 16);
      EXPECT_LE((a[i].z - serial.z).norm(), 1e-9 * (1 + serial.z.norm())) << to_string(method) << " column " << i;
      EXPECT_EQ(a[i].evaluations, serial.evaluations);
      EXPECT_EQ(a[i].steps, serial.steps);
      EXPECT_EQ(a[i].ending, serial.ending);
    }
  }
}

TEST(FixedStepBatch, NonFiniteColumnEndsAlone) {
  const Problem p(build_training_set({3, 2, 1.0, 1}), "trig");
  const test::NanBelowHalf field(*p.field);
  const Mat z1 = Mat::Ones(2, 2);
  const auto ends = solve_fixed_batch(field, z1, Method::euler, 8);
  for (const Endpoint& e : ends) {
    EXPECT_EQ(e.ending, Ending::non_finite);
    EXPECT_EQ(e.t_end, solve_fixed(field, z1.col(0), Method::euler, 8).t_end);
  }
  EXPECT_THROW(solve_fixed_batch(*p.field, Mat::Ones(3, 2), Method::euler, 4), std::invalid_argument);
}

}  // namespace
}  // namespace siv
